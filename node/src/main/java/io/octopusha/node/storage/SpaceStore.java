package io.octopusha.node.storage;

import org.jooq.DSLContext;

import java.util.List;

import static io.octopusha.node.db.schema.Tables.SPACE;

/** The spaces: read only here; {@code Spaces-1} named Default always exists. */
public final class SpaceStore {
    private final DSLContext db;

    public SpaceStore(DSLContext db) {
        this.db = db;
    }

    public record Space(String id, String name, String description, boolean isDefault) {
    }

    /** Every space, by Id. */
    public List<Space> all() {
        return db.selectFrom(SPACE).orderBy(SPACE.ID)
                .fetch(s -> new Space(s.getId(), s.getName(), s.getDescription(), s.getIsDefault()));
    }

    /** Whether a space exists, for routes scoped to one. */
    public boolean exists(String spaceId) {
        return db.fetchExists(SPACE, SPACE.ID.eq(spaceId));
    }
}
