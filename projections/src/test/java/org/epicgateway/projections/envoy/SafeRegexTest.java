package org.epicgateway.projections.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SafeRegexTest {

    @ParameterizedTest
    @ValueSource(strings = {"/api/v[0-9]+/users/[^/]+", "^/(foo|bar)/.*$", "(?i)/static/.*\\.(css|js)", "a{3,5}",
        "\\Q{1000}\\E", "[{]1000}", "x{", "(?P<id>[0-9]+)", "\\p{Greek}+", "\\x{41}{2}"})
    void ordinaryRegexesCompile(String regex) {
        assertThat(SafeRegex.problem(regex)).as(regex).isEmpty();
        assertThat(SafeRegex.compile(regex)).isNotNull();
    }

    /** The heap-exhausting input of issue 14 and its relatives are refused from the text alone, in microseconds. */
    @ParameterizedTest
    @ValueSource(strings = {"((a{1000}){1000}){1000}", "(a{1000}){1000}", "(((a{0}){1000}){1000}){1000}",
        "a{100}", "(x|y){50}", "((((((((((a{2}){2}){2}){2}){2}){2}){2}){2}){2}){2})", "(?:a{1000}){1000}",
        "(?i:(ab{1000}){1000})", "a{1000,}{1000}"})
    void expandingRepetitionIsRefusedBeforeCompiling(String regex) {
        long started = System.nanoTime();
        assertThat(SafeRegex.problem(regex)).as(regex).hasValueSatisfying(p -> assertThat(p).contains("program size"));
        assertThat(System.nanoTime() - started).isLessThan(1_000_000_000L);
    }

    @CsvSource(delimiter = '|', value = {
        "a|4", "abc|6", "a*|5", "(a)|6", "a{3}|7", "a{2,4}|10", "(a{10}){10}|146"})
    @ParameterizedTest
    void theEstimateCountsInstructionsAndMultipliesNestedCounts(String regex, long size) {
        assertThat(SafeRegex.programSize(regex)).isEqualTo(size);
    }

    @Test
    void syntaxErrorsAndOverlongTextAreRefusedWithAReason() {
        assertThat(SafeRegex.problem("/api/(v1")).hasValueSatisfying(p -> assertThat(p).contains("not an RE2"));
        assertThat(SafeRegex.problem("a(?=b)")).hasValueSatisfying(p -> assertThat(p).contains("not an RE2"));
        assertThat(SafeRegex.problem("a".repeat(1025))).hasValueSatisfying(p -> assertThat(p).contains("1024"));
        assertThatThrownBy(() -> SafeRegex.compile("(a{1000}){1000}")).isInstanceOf(IllegalArgumentException.class);
    }
}
