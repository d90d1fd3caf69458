package io.octopusha.operator.crd;

/** Patterns and CEL rules the CRD schema enforces, so the API server refuses a bad spec at apply time. */
public final class Validation {
    /** An integer, or a string the API server reads as a quantity (for int-or-string fields, which take no pattern). */
    public static final String QUANTITY_RULE = "type(self) == int || isQuantity(self)";
    public static final String QUANTITY_MESSAGE = "must be a quantity such as 500m, 1Gi or 2";
    /** A DNS-1123 host name, optionally with a leading wildcard label. */
    public static final String HOST = "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    /** A DNS-1123 name of a Kubernetes object. */
    public static final String OBJECT_NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    /**
     * The cluster name becomes the StatefulSet's and the Services' names and, with a hash, the pods' revision label:
     * a DNS-1035 label of at most 52 characters, as for any StatefulSet.
     */
    public static final String NAME_RULE = "self.metadata.name.size() <= 52"
            + " && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')";
    public static final String NAME_MESSAGE = "metadata.name must be a DNS-1035 label (lower-case letters, digits and"
            + " '-', starting with a letter) of at most 52 characters: the StatefulSet, its pods and the Services are"
            + " named after it";

    private Validation() {
    }
}
