package org.epicgateway.projections.envoy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Golden-file comparison in the style of Envoy Gateway's translator tests: the expected file is compared exactly; on a
 * mismatch the differing lines are printed. Run with {@code -Dgolden.update=true} to rewrite the expected files from
 * the current output (then review the git diff).
 */
public final class GoldenFiles {
    private GoldenFiles() {}

    public static boolean updating() {
        return Boolean.getBoolean("golden.update");
    }

    public static void assertMatches(Path expectedFile, String actual) throws IOException {
        // Goldens live in src/test/resources; write there, not to the copy under target/.
        if (updating()) {
            Files.createDirectories(expectedFile.getParent());
            Files.writeString(expectedFile, actual);
            return;
        }
        if (!Files.exists(expectedFile)) {
            fail("missing golden " + expectedFile + " (run with -Dgolden.update=true to create it); actual:\n" + actual);
        }
        String expected = Files.readString(expectedFile);
        if (!expected.equals(actual)) {
            fail("golden mismatch " + expectedFile + " (-expected +actual):\n" + diff(expected, actual));
        }
    }

    /** The differing middle of two texts, after their common leading and trailing lines, with context. */
    static String diff(String expected, String actual) {
        List<String> a = expected.lines().toList();
        List<String> b = actual.lines().toList();
        int start = 0;
        while (start < a.size() && start < b.size() && a.get(start).equals(b.get(start))) {
            start++;
        }
        int endA = a.size();
        int endB = b.size();
        while (endA > start && endB > start && a.get(endA - 1).equals(b.get(endB - 1))) {
            endA--;
            endB--;
        }
        StringBuilder out = new StringBuilder();
        int from = Math.max(0, start - 3);
        out.append("@@ line ").append(from + 1).append(" @@\n");
        for (int i = from; i < start; i++) {
            out.append("  ").append(a.get(i)).append('\n');
        }
        for (int i = start; i < endA; i++) {
            out.append("- ").append(a.get(i)).append('\n');
        }
        for (int i = start; i < endB; i++) {
            out.append("+ ").append(b.get(i)).append('\n');
        }
        for (int i = endA; i < Math.min(a.size(), endA + 3); i++) {
            out.append("  ").append(a.get(i)).append('\n');
        }
        return out.toString();
    }
}
