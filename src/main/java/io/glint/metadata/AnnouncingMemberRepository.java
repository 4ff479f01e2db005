package io.glint.metadata;

import io.glint.member.Member;
import io.glint.member.MemberRepository;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The member repository, telling the image caches of each member write before and after it runs (an image's
 * members decide who lists it), as {@link CachingImageRepository} does for image writes. Other nodes learn of
 * it from the database's announcement (the {@code image_members} triggers).
 */
final class AnnouncingMemberRepository implements MemberRepository {
  private final MemberRepository delegate;
  private final Consumer<String> changed;

  AnnouncingMemberRepository(MemberRepository delegate, Consumer<String> changed) {
    this.delegate = delegate;
    this.changed = changed;
  }

  private <T> Future<T> announcing(String imageId, Supplier<Future<T>> write) {
    changed.accept(imageId);
    return write.get().onComplete(ar -> changed.accept(imageId));
  }

  @Override
  public Future<Optional<Member>> add(String imageId, String memberId, int quota) {
    return announcing(imageId, () -> delegate.add(imageId, memberId, quota));
  }

  @Override
  public Future<List<Member>> list(String imageId) {
    return delegate.list(imageId);
  }

  @Override
  public Future<Optional<Member>> find(String imageId, String memberId) {
    return delegate.find(imageId, memberId);
  }

  @Override
  public Future<Optional<Member>> setStatus(String imageId, String memberId, String status) {
    return announcing(imageId, () -> delegate.setStatus(imageId, memberId, status));
  }

  @Override
  public Future<Boolean> remove(String imageId, String memberId) {
    return announcing(imageId, () -> delegate.remove(imageId, memberId));
  }

  @Override
  public Future<Optional<Member>> setCanShare(String imageId, String memberId, boolean canShare) {
    return announcing(imageId, () -> delegate.setCanShare(imageId, memberId, canShare));
  }

  @Override
  public Future<List<Member>> sharedWith(String memberId) {
    return delegate.sharedWith(memberId);
  }
}
