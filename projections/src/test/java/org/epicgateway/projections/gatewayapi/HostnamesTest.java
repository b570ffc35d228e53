package org.epicgateway.projections.gatewayapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Gateway API hostname rules: wildcards cover one or more labels, never the apex; intersections keep the narrower. */
class HostnamesTest {

    @Test
    void wildcardCoversSubdomainsButNotTheApex() {
        assertThat(Hostnames.covers("*.example.com", "a.example.com")).isTrue();
        assertThat(Hostnames.covers("*.example.com", "a.b.example.com")).isTrue();
        assertThat(Hostnames.covers("*.example.com", "example.com")).isFalse();
        assertThat(Hostnames.covers("*.example.com", "aexample.com")).isFalse();
        assertThat(Hostnames.covers("*.example.com", "*.a.example.com")).isTrue();
        assertThat(Hostnames.covers("*.a.example.com", "*.example.com")).isFalse();
        assertThat(Hostnames.covers("Foo.Example.com", "foo.example.COM")).isTrue();
        assertThat(Hostnames.covers("*", "anything")).isTrue();
    }

    @Test
    void intersectionKeepsTheNarrowerHostname() {
        assertThat(Hostnames.intersect(null, List.of())).containsExactly("*");
        assertThat(Hostnames.intersect("*.example.com", List.of())).containsExactly("*.example.com");
        assertThat(Hostnames.intersect("very.specific.com", List.of("*.specific.com", "non.matching.com")))
                .containsExactly("very.specific.com");
        assertThat(Hostnames.intersect("*.wildcard.io", List.of("wildcard.io", "foo.wildcard.io", "*.a.wildcard.io")))
                .containsExactly("foo.wildcard.io", "*.a.wildcard.io");
        assertThat(Hostnames.intersect("*.example.com", List.of("*.com"))).containsExactly("*.example.com");
        assertThat(Hostnames.intersect("a.com", List.of("b.com"))).isEmpty();
    }

    @Test
    void coveringPatternsAreExactlyThePatternsThatCover() {
        assertThat(Hostnames.coveringPatterns("a.b.example.com"))
                .containsExactly("a.b.example.com", "*", "*.b.example.com", "*.example.com", "*.com");
        assertThat(Hostnames.coveringPatterns("*.b.example.com"))
                .containsExactly("*.b.example.com", "*", "*.example.com", "*.com");
        for (String pattern : List.of("*.b.example.com", "*.example.com", "*.com", "*", "a.b.example.com")) {
            assertThat(Hostnames.covers(pattern, "a.b.example.com")).isTrue();
        }
        assertThat(Hostnames.covers("*.a.b.example.com", "a.b.example.com")).isFalse();
    }
}
