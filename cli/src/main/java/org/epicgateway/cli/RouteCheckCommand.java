package org.epicgateway.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.epicgateway.projections.routecheck.ManifestException;
import org.epicgateway.projections.routecheck.RouteCheckRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./epic route-check}: offline explain. Derives the Envoy config of the Gateways in a manifest directory with
 * the projections' code and evaluates each request line against it. Exit 0 when the evaluation ran, 2 when the
 * manifests or the request file are unusable (the message names the document and field, or the line).
 */
@Command(name = "route-check", mixinStandardHelpOptions = true,
        description = {"Evaluate requests against the Envoy config derived from Kubernetes manifests.",
                "Requests: one JSON object per line {\"gateway\":\"ns/name\",\"port\":80,\"host\":..., \"method\":..., "
                        + "\"path\":\"/p?q=1\", \"headers\":{...}}; a gRPC call as \"grpc\":{\"service\":...,\"method\":...} instead of path.",
                "Output: one JSON object per request {\"status\", \"backend\", \"backends\", \"location\", \"host\", \"path\"}."})
public final class RouteCheckCommand implements Callable<Integer> {

    @Option(names = "--manifests", required = true, paramLabel = "DIR",
            description = "Directory of Kubernetes YAML (Gateway, HTTPRoute, GRPCRoute, TCPRoute, TLSRoute, Service, ReferenceGrant, EndpointSlice).")
    Path manifests;

    @Option(names = "--requests", paramLabel = "FILE", description = "JSON lines, one request each (required unless --envoy).")
    Path requests;

    @Option(names = "--headers", description = "Also print the matched Envoy route and the request/response header changes.")
    boolean headers;

    @Option(names = "--policies", description = "Also print the matched route's timeout, retry policy and mirrors.")
    boolean policies;

    @Option(names = "--envoy", description = "Print the derived Envoy config (JSON) of every Gateway instead of evaluating.")
    boolean envoy;

    @Override
    public Integer call() {
        if (!Files.isDirectory(manifests)) {
            System.err.println("route-check: --manifests " + manifests + " is not a directory");
            return 2;
        }
        try {
            RouteCheckRunner runner = RouteCheckRunner.fromManifests(manifests);
            if (envoy) {
                runner.configs().values().forEach(c -> System.out.print(c.toJson()));
                return 0;
            }
            if (requests == null) {
                System.err.println("route-check: --requests FILE is required");
                return 2;
            }
            runner.run(requests, System.out, headers, policies);
            System.out.flush();
            return 0;
        } catch (ManifestException e) {
            System.err.println("route-check: invalid manifests: " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("route-check: " + e.getMessage());
            return 2;
        } catch (IOException | UncheckedIOException e) {
            System.err.println("route-check: cannot read input: " + e.getMessage());
            return 2;
        }
    }
}
