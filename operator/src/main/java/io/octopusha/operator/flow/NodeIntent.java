package io.octopusha.operator.flow;

import io.octopusha.operator.crd.DrainReason;
import java.time.Instant;

/**
 * What one node should look like after this reconcile.
 *
 * @param maintenance    true to drain, false to undrain a drain the operator set, null to leave the flag alone
 * @param drainReason    why the operator drains the node, or null
 * @param drainStartedAt when that drain began, or null
 */
public record NodeIntent(String name, int taskCap, Boolean maintenance, DrainReason drainReason,
                         Instant drainStartedAt, boolean inLoadBalancer) {
}
