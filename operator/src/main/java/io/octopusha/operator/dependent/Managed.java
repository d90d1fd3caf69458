package io.octopusha.operator.dependent;

import io.octopusha.operator.model.Labels;

/** The operator's informers only cache what it created itself (all of it carries the managed-by label). */
final class Managed {
    static final String SELECTOR = Labels.MANAGED_BY + "=" + Labels.OPERATOR;

    private Managed() {
    }
}
