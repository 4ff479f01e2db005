-- Lists change when an image is created and when its members change, not only when an image row is updated or
-- deleted: those are announced on glint_image_changed too, so that every node drops the list pages it cached.
CREATE OR REPLACE FUNCTION glint_notify_image_changed() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('glint_image_changed', '*');
  ELSIF TG_TABLE_NAME = 'images' AND TG_OP = 'INSERT' THEN
    PERFORM pg_notify('glint_image_changed', NEW.id);
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

CREATE TRIGGER images_inserted AFTER INSERT ON images
  FOR EACH ROW EXECUTE FUNCTION glint_notify_image_changed();
CREATE TRIGGER image_members_changed AFTER INSERT OR UPDATE OR DELETE ON image_members
  FOR EACH ROW EXECUTE FUNCTION glint_notify_image_changed();
CREATE TRIGGER image_members_truncated AFTER TRUNCATE ON image_members
  FOR EACH STATEMENT EXECUTE FUNCTION glint_notify_image_changed();
