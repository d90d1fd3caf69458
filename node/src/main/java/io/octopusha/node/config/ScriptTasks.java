package io.octopusha.node.config;

/**
 * OCTOPUS_SCRIPT_TASKS: who may create AdHocScript tasks through this node, or Disabled, where the node also runs
 * none (one already queued that reaches it fails without running).
 */
public enum ScriptTasks {
    Administrator, Operator, Disabled
}
