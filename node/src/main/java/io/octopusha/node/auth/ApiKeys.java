package io.octopusha.node.auth;

import io.octopusha.node.db.schema.tables.records.ApiKeyRecord;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import static io.octopusha.node.db.schema.Tables.API_KEY;
import static io.octopusha.node.db.schema.Tables.OCTOPUS_USER;

/**
 * API keys, stored as SHA-256 hashes. Every node keeps all keys in memory so authentication costs no
 * database round trip; the cache reloads when any node changes a key (NOTIFY) and periodically as a backstop.
 */
public final class ApiKeys {
    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
    private static final String KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DSLContext db;
    private volatile Map<String, Principal> byHash = Map.of();
    private final Set<String> usedSinceFlush = ConcurrentHashMap.newKeySet();

    public ApiKeys(DSLContext db) {
        this.db = db;
    }

    /** Notified when keys are added, removed or changed (a trigger of migration V1): every node then reloads them. */
    public static final String CHANNEL = "octopus_api_keys";

    /** The user the bootstrap administrator keys belong to (migration V12). */
    public static final String BOOTSTRAP_USER = "Users-1";

    public record CreatedKey(String id, String purpose, Role role, String userId, String apiKey, OffsetDateTime created) {
    }

    public record KeyInfo(String id, String purpose, Role role, String userId, String prefix, OffsetDateTime created,
                          OffsetDateTime lastUsed) {
    }

    /** A user: a service account whose keys all have its role. */
    public record User(String id, String displayName, Role role, OffsetDateTime created) {
    }

    /** The principal for a raw key, from memory. */
    public Optional<Principal> authenticate(String apiKey) {
        if (apiKey == null || apiKey.isEmpty() || apiKey.length() > 200) return Optional.empty();
        Principal principal = byHash.get(HexFormat.of().formatHex(sha256(apiKey)));
        if (principal != null) usedSinceFlush.add(principal.keyId());
        return Optional.ofNullable(principal);
    }

    /**
     * Synchronized so reloads replace the cache in the order they read the table: otherwise a reload a NOTIFY
     * started before a key's commit could land after this node's own reload and drop the new key.
     */
    public synchronized void reload() {
        byHash = db.select(API_KEY.KEY_HASH, API_KEY.ID, API_KEY.PURPOSE, API_KEY.ROLE, API_KEY.USER_ID, OCTOPUS_USER.DISPLAY_NAME)
                .from(API_KEY).join(OCTOPUS_USER).on(OCTOPUS_USER.ID.eq(API_KEY.USER_ID))
                .fetch().stream().collect(Collectors.toUnmodifiableMap(
                        r -> HexFormat.of().formatHex(r.value1()),
                        r -> new Principal(r.value2(), r.value3(), Role.valueOf(r.value4()), r.value5(), r.value6())));
    }

    /**
     * Makes sure an administrator can sign in: the configured key is stored if new; with none configured,
     * the first node of a cluster generates one and logs it, once.
     */
    public void bootstrap(String configuredAdminKey) {
        if (configuredAdminKey != null) {
            db.insertInto(API_KEY)
                    .set(API_KEY.PURPOSE, "Bootstrap administrator (OCTOPUS_ADMIN_API_KEY)")
                    .set(API_KEY.ROLE, Role.Administrator.name())
                    .set(API_KEY.KEY_HASH, sha256(configuredAdminKey))
                    .set(API_KEY.KEY_PREFIX, prefixOf(configuredAdminKey))
                    .set(API_KEY.USER_ID, BOOTSTRAP_USER)
                    .onConflict(API_KEY.KEY_HASH).doNothing()
                    .execute();
        } else {
            String generated = generate();
            int inserted = db.insertInto(API_KEY)
                    .set(API_KEY.PURPOSE, "Bootstrap administrator (generated)")
                    .set(API_KEY.ROLE, Role.Administrator.name())
                    .set(API_KEY.KEY_HASH, sha256(generated))
                    .set(API_KEY.KEY_PREFIX, prefixOf(generated))
                    .set(API_KEY.IS_GENERATED_BOOTSTRAP, true)
                    .set(API_KEY.USER_ID, BOOTSTRAP_USER)
                    .onConflictDoNothing()
                    .execute();
            if (inserted == 1) {
                log.warn("""

                        ================================================================
                        Generated administrator API key (shown only this once):
                            {}
                        Set OCTOPUS_ADMIN_API_KEY to choose your own.
                        ================================================================""", generated);
            }
        }
        reload();
    }

    /** A new user with this role, named after the purpose, and its first key: what {@code POST /api/apikeys} makes. */
    public CreatedKey create(String purpose, Role role) {
        CreatedKey created = db.transactionResult(tx -> {
            String userId = tx.dsl().insertInto(OCTOPUS_USER).set(OCTOPUS_USER.DISPLAY_NAME, purpose)
                    .set(OCTOPUS_USER.ROLE, role.name()).returning(OCTOPUS_USER.ID).fetchOne().getId();
            return insertKey(tx.dsl(), userId, purpose, role);
        });
        // This node sees its own change at once; the others hear of it by NOTIFY.
        reload();
        return created;
    }

    /** Another key for an existing user, with the user's role; empty if there is no such user. */
    public Optional<CreatedKey> createFor(String userId, String purpose) {
        Optional<CreatedKey> created = findUser(userId).map(user -> insertKey(db, user.id(), purpose, user.role()));
        reload();
        return created;
    }

    private static CreatedKey insertKey(DSLContext db, String userId, String purpose, Role role) {
        String key = generate();
        ApiKeyRecord row = db.insertInto(API_KEY)
                .set(API_KEY.PURPOSE, purpose)
                .set(API_KEY.ROLE, role.name())
                .set(API_KEY.KEY_HASH, sha256(key))
                .set(API_KEY.KEY_PREFIX, prefixOf(key))
                .set(API_KEY.USER_ID, userId)
                .returning()
                .fetchOne();
        return new CreatedKey(row.getId(), row.getPurpose(), role, userId, key, row.getCreated());
    }

    public List<KeyInfo> list() {
        return db.selectFrom(API_KEY).orderBy(API_KEY.CREATED, API_KEY.ID).fetch(ApiKeys::info);
    }

    public List<KeyInfo> listFor(String userId) {
        return db.selectFrom(API_KEY).where(API_KEY.USER_ID.eq(userId)).orderBy(API_KEY.CREATED, API_KEY.ID).fetch(ApiKeys::info);
    }

    public Optional<KeyInfo> find(String id) {
        return db.selectFrom(API_KEY).where(API_KEY.ID.eq(id)).fetchOptional(ApiKeys::info);
    }

    private static KeyInfo info(ApiKeyRecord r) {
        return new KeyInfo(r.getId(), r.getPurpose(), Role.valueOf(r.getRole()), r.getUserId(), r.getKeyPrefix(),
                r.getCreated(), r.getLastUsed());
    }

    /** Revokes a key; the key that was, or empty if there was none with that id. */
    public Optional<KeyInfo> delete(String id) {
        Optional<KeyInfo> deleted = db.deleteFrom(API_KEY).where(API_KEY.ID.eq(id)).returning().fetchOptional()
                .map(ApiKeys::info);
        reload();
        return deleted;
    }

    public Optional<User> findUser(String id) {
        return db.selectFrom(OCTOPUS_USER).where(OCTOPUS_USER.ID.eq(id)).fetchOptional(ApiKeys::user);
    }

    public List<User> users() {
        return db.selectFrom(OCTOPUS_USER).orderBy(OCTOPUS_USER.CREATED, OCTOPUS_USER.ID).fetch(ApiKeys::user);
    }

    private static User user(io.octopusha.node.db.schema.tables.records.OctopusUserRecord r) {
        return new User(r.getId(), r.getDisplayName(), Role.valueOf(r.getRole()), r.getCreated());
    }

    /** Writes "last used" for keys used since the previous flush: one statement, not one per request. */
    public void flushLastUsed() {
        if (usedSinceFlush.isEmpty()) return;
        List<String> ids = List.copyOf(usedSinceFlush);
        usedSinceFlush.removeAll(ids);
        db.update(API_KEY).set(API_KEY.LAST_USED, org.jooq.impl.DSL.currentOffsetDateTime())
                .where(API_KEY.ID.in(ids)).execute();
    }

    /** A new key in Octopus's format: API- and 26 random capital letters and digits. */
    public static String generate() {
        StringBuilder key = new StringBuilder("API-");
        for (int i = 0; i < 26; i++) key.append(KEY_ALPHABET.charAt(RANDOM.nextInt(KEY_ALPHABET.length())));
        return key.toString();
    }

    private static String prefixOf(String key) {
        return key.substring(0, Math.min(8, key.length()));
    }

    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
