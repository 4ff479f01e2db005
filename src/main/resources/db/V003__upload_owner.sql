-- Which node receives an image's data while it is 'saving', and when that node last said it still does.
-- Start-up recovery and the periodic sweep put back to 'queued' only uploads of the recovering node itself, or
-- of a node that stopped reporting: never an upload another live node is receiving.
ALTER TABLE images ADD COLUMN upload_node varchar(64);
ALTER TABLE images ADD COLUMN upload_seen timestamptz;
CREATE INDEX images_saving_idx ON images (upload_node) WHERE status = 'saving';
