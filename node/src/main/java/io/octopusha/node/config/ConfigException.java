package io.octopusha.node.config;

/** Bad configuration: the message is one line that names the setting, printed before the node exits. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
