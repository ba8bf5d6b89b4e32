/**
 * The DynamoDB registry: {@link io.cellrouter.registry.store.dynamodb.DynamoDbRegistryStore}, one
 * table, the SDK v2 async client, configured by
 * {@link io.cellrouter.registry.store.dynamodb.DynamoDbSettings}.
 *
 * <p><b>Layout</b> (all in {@code Items}): {@code pk}/{@code sk} strings; placements at
 * {@code CUSTOMER#id / PLACEMENT} (one partition per customer: GetItem to route, a conditional
 * PutItem to move), cells at {@code CELL / name}, overrides at {@code OVERRIDE / customer} and shadows
 * at {@code SHADOW / customer} (small sets, one Query each), the change feed at {@code FEED#bucket / sequence}, and a hint of the newest
 * bucket at {@code FEED / HEAD}. Only single-item conditional writes: no transactions, streams, TTL
 * or PartiQL.
 *
 * <p><b>The feed</b>: {@code FeedWriter} claims slot n with {@code attribute_not_exists(pk)} and
 * tries n+1 only once it knows n exists, so claimed slots form a prefix without holes, and the order
 * owes nothing to clocks. The last slot of each bucket is a seal. {@code FeedReader} reads from its
 * cursor (which must still be there: else a gap) while sequences are contiguous, stopping at the
 * first hole: it cannot skip an entry. One strongly consistent Query per poll when nothing changed.
 * Old buckets are pruned behind a marker that tells a late reader it has a gap.
 */
package io.cellrouter.registry.store.dynamodb;
