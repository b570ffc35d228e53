package org.epicgateway.projections;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The shape the design asks for: the pure derivations (Gateway API semantics, Envoy derivation, status, the fold, the
 * gateway view assembly, the decider's rules, the audit folds, route-check) import nothing from Kafka, so Streams
 * only wires them; and the feature packages of projections form no cycle.
 */
class ArchitectureTest {

  private static final JavaClasses PROJECTIONS = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("org.epicgateway.projections");

  private static final String[] PURE = {
      "org.epicgateway.projections.gatewayapi",
      "org.epicgateway.projections.envoy",
      "org.epicgateway.projections.status",
      "org.epicgateway.projections.state",
      "org.epicgateway.projections.view",
      "org.epicgateway.projections.node",
      "org.epicgateway.projections.decider",
      "org.epicgateway.projections.audit",
      "org.epicgateway.projections.routecheck"};

  @Test
  void purePackagesImportNothingFromKafka() {
    noClasses().that().resideInAnyPackage(PURE)
        // The audit's one reader of the topic; everything it feeds (StateAt, Rebuild, Replay, Diff) is pure.
        .and().doNotHaveFullyQualifiedName("org.epicgateway.projections.audit.EventLog")
        .should().dependOnClassesThat().resideInAPackage("org.apache.kafka..")
        .check(PROJECTIONS);
  }

  @Test
  void purePackagesDependOnNoStreamsWiring() {
    noClasses().that().resideInAnyPackage(PURE)
        .should().dependOnClassesThat().resideInAnyPackage("org.epicgateway.projections.topology",
            "org.epicgateway.projections.viewtopology", "org.epicgateway.projections.envoytopology",
            "org.epicgateway.projections.nodetopology",
            "org.epicgateway.projections.streams")
        .check(PROJECTIONS);
  }

  @Test
  void featurePackagesHaveNoCycles() {
    slices().matching("org.epicgateway.projections.(*)..").should().beFreeOfCycles().check(PROJECTIONS);
  }
}
