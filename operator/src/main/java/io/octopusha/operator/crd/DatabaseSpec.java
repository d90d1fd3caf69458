package io.octopusha.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Where the nodes find the shared PostgreSQL database. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DatabaseSpec {
    @Required
    @JsonPropertyDescription("Secret key holding the JDBC URL (OCTOPUS_DB_URL).")
    public SecretKeyRef urlSecretRef;

    @JsonPropertyDescription("Secret key holding the database user (OCTOPUS_DB_USER).")
    public SecretKeyRef userSecretRef;

    @JsonPropertyDescription("Secret key holding the database password (OCTOPUS_DB_PASSWORD).")
    public SecretKeyRef passwordSecretRef;
}
