package io.octopusha.operator.crd;

/** Who may create AdHocScript tasks on the cluster's nodes (the node setting OCTOPUS_SCRIPT_TASKS). */
public enum ScriptTasks {
    /** Administrators only. */
    Administrator,
    /** Administrators and Operators. */
    Operator,
    /** Nobody: the nodes refuse script tasks and run none. */
    Disabled
}
