package io.octopusha.operator.nodeclient;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One entry of GET /api/octopusservernodes/summary. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NodeSummary(
        @JsonProperty("Id") String id,
        @JsonProperty("Name") String name,
        @JsonProperty("MaxConcurrentTasks") int maxConcurrentTasks,
        @JsonProperty("IsInMaintenanceMode") boolean inMaintenanceMode,
        @JsonProperty("LastSeen") String lastSeen,
        @JsonProperty("IsOffline") boolean offline,
        @JsonProperty("RunningTaskCount") int runningTaskCount,
        @JsonProperty("Version") String version,
        @JsonProperty("Status") String status) {
}
