-- Every change to an image row or to its locations is announced on the channel glint_image_changed, with the
-- image id as payload ('*' for a truncation), when its transaction commits. Every Glint node listens and drops
-- what it cached about that image at once, whichever node (or operator) made the change; the caches' short
-- time-to-live stays as a backstop for a node whose listening connection is down.
CREATE OR REPLACE FUNCTION glint_notify_image_changed() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('glint_image_changed', '*');
  ELSIF TG_TABLE_NAME = 'images' THEN
    PERFORM pg_notify('glint_image_changed', OLD.id);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('glint_image_changed', OLD.image_id);
  ELSE
    PERFORM pg_notify('glint_image_changed', NEW.image_id);
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER images_changed AFTER UPDATE OR DELETE ON images
  FOR EACH ROW EXECUTE FUNCTION glint_notify_image_changed();
CREATE TRIGGER images_truncated AFTER TRUNCATE ON images
  FOR EACH STATEMENT EXECUTE FUNCTION glint_notify_image_changed();
CREATE TRIGGER image_locations_changed AFTER INSERT OR UPDATE OR DELETE ON image_locations
  FOR EACH ROW EXECUTE FUNCTION glint_notify_image_changed();
