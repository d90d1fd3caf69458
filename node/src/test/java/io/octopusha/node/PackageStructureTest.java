package io.octopusha.node;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The node's packages are layered: the composition root ({@code OctopusNode}, {@code Main}) wires everything, the HTTP
 * routes ({@code api}) sit on the domain packages ({@code tasks}, {@code cluster}, {@code queue}, {@code storage}, ...),
 * and those on {@code db}. Dependencies point down only, so a reader can take each package without the ones above it.
 */
class PackageStructureTest {
    private static final String ROOT = "io.octopusha.node";
    private static final JavaClasses NODE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void noPackageDependsOnAnotherThatDependsBackOnIt() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(NODE);
    }

    /** {@code local} sits beside the routes: it starts nodes as processes and talks to them as a client does. */
    @Test
    void noPackageBelowTheRoutesUsesThem() {
        noClasses().that().resideOutsideOfPackages(ROOT, ROOT + ".api..", ROOT + ".local..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".api..")
                .check(NODE);
    }

    @Test
    void nothingDependsOnTheCompositionRoot() {
        noClasses().that().resideOutsideOfPackage(ROOT)
                .should().dependOnClassesThat().resideInAPackage(ROOT)
                .check(NODE);
    }

    @Test
    void theDatabasePackageDependsOnNoOtherPackageOfTheNode() {
        noClasses().that().resideInAPackage(ROOT + ".db..")
                .should().dependOnClassesThat(resideInAPackage(ROOT + "..").and(not(resideInAPackage(ROOT + ".db.."))))
                .check(NODE);
    }
}
