package io.octopusha.operator.crd;

/** Why a node is drained; the operator only undrains nodes whose drain it recorded itself. */
public enum DrainReason { Spec, NodeCordoned, Retire, Rollout }
