package io.octopusha.node;

import io.octopusha.node.cluster.NodeLimitExceededException;
import io.octopusha.node.config.ConfigException;
import io.octopusha.node.config.ConfigLoader;
import io.octopusha.node.config.NodeConfig;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.concurrent.atomic.AtomicBoolean;

/** Starts a node from OCTOPUS_* variables and flags; bad configuration stops it with one line. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
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
        // SIGTERM and Ctrl-C drain the node first; it then exits 0 by itself.
        AtomicBoolean stopping = new AtomicBoolean();
        SignalHandler drainThenExit = signal -> {
            if (stopping.compareAndSet(false, true)) {
                Thread.ofPlatform().name("shutdown").start(() -> {
                    node.shutdownGracefully();
                    System.exit(0);
                });
            }
        };
        Signal.handle(new Signal("TERM"), drainThenExit);
        Signal.handle(new Signal("INT"), drainThenExit);
    }
}
