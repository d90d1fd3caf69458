package io.octopusha.node;

import io.octopusha.node.admin.NodeCommand;
import io.octopusha.node.cluster.NodeLimitExceededException;
import io.octopusha.node.config.ConfigException;
import io.octopusha.node.config.ConfigLoader;
import io.octopusha.node.config.NodeConfig;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts a node from OCTOPUS_* variables and flags; bad configuration stops it with one line. With {@code node} as
 * its first argument it runs the administrator's {@link NodeCommand} instead (drain, task cap) and exits.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("node")) {
            // The command prints its own lines; the libraries' logs would only clutter a terminal or a preStop hook's event.
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                    .setLevel(ch.qos.logback.classic.Level.OFF);
            System.exit(NodeCommand.run(Arrays.copyOfRange(args, 1, args.length), System.getenv(), System.out, System.err));
            return;
        }
        NodeConfig config;
        try {
            config = ConfigLoader.load(System.getenv(), args);
        } catch (ConfigException e) {
            System.err.println("octopus-node: configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        OctopusNode node;
        try {
            node = OctopusNode.start(config);
        } catch (NodeLimitExceededException e) {
            System.err.println("octopus-node: " + e.getMessage());
            System.exit(3);
            return;
        }
        // SIGTERM and Ctrl-C shut the node down gracefully first; it then exits 0 by itself.
        AtomicBoolean stopping = new AtomicBoolean();
        SignalHandler shutDownThenExit = signal -> {
            if (stopping.compareAndSet(false, true)) {
                Thread.ofPlatform().name("shutdown").start(() -> {
                    node.shutdownGracefully();
                    System.exit(0);
                });
            }
        };
        Signal.handle(new Signal("TERM"), shutDownThenExit);
        Signal.handle(new Signal("INT"), shutDownThenExit);
    }
}
