package io.octopusha.operator.crd;

public enum ImagePullPolicy { Always, IfNotPresent, Never }
