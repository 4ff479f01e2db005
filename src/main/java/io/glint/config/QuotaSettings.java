package io.glint.config;

import static io.glint.config.Options.*;

/**
 * Glance's quotas: how big an image, a project's storage and an image's lists may grow (-1 = unlimited for
 * the per-image counts).
 *
 * @param imageSizeCap largest image in bytes ([DEFAULT] image_size_cap)
 * @param userStorageQuota bytes per project, 0 = unlimited ([DEFAULT] user_storage_quota, units parsed)
 * @param imageMemberQuota members per image ([DEFAULT] image_member_quota)
 * @param imagePropertyQuota extra properties per image ([DEFAULT] image_property_quota)
 * @param imageTagQuota tags per image ([DEFAULT] image_tag_quota)
 * @param imageLocationQuota locations per image ([DEFAULT] image_location_quota)
 */
public record QuotaSettings(long imageSizeCap, long userStorageQuota, int imageMemberQuota,
    int imagePropertyQuota, int imageTagQuota, int imageLocationQuota) {

  static QuotaSettings from(GlintConfig c) {
    return new QuotaSettings(c.get(IMAGE_SIZE_CAP), c.get(USER_STORAGE_QUOTA), c.get(IMAGE_MEMBER_QUOTA),
        c.get(IMAGE_PROPERTY_QUOTA), c.get(IMAGE_TAG_QUOTA), c.get(IMAGE_LOCATION_QUOTA));
  }
}
