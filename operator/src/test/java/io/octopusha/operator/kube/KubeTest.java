package io.octopusha.operator.kube;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class of the real control-plane tier ({@code make test-kube}): its {@code @BeforeAll} may take a
 * {@link KubeEnvironment}, which every such class in the JVM shares.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("kube")
@ExtendWith(KubeTier.class)
public @interface KubeTest {
}
