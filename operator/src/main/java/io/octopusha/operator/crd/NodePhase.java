package io.octopusha.operator.crd;

/** A node's state as status.nodes[].status reports it. */
public enum NodePhase { Running, Draining, Drained, Offline, Retiring, Starting }
