package org.epicgateway.projections.envoy;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Optional;

/**
 * RE2 regular expressions as Envoy runs them ({@code safe_regex}), compiled without letting the input drive memory.
 * RE2 (and re2j) expand counted repetition before compiling, so {@code ((a{1000}){1000}){1000}} becomes 10^9
 * instructions and exhausts the heap. The program size is therefore estimated from the text first, where nested repeat
 * counts multiply, and refused above Envoy's own default limit ({@code re2.max_program_size.error_level} = 100,
 * above which Envoy would refuse the configuration anyway); only a regex under the limit is handed to re2j.
 *
 * <p>The estimate follows RE2's compiler: one instruction per literal, class or anchor, two per capture, one per
 * alternation, star, plus or quest; {@code x{n,m}} is m copies of x plus (m-n) quests. It errs high (a repeated inner
 * part is also counted once on its own, as re2j's simplifier builds it), never low.
 */
public final class SafeRegex {
    /** Envoy's default {@code re2.max_program_size.error_level}. */
    public static final int MAX_PROGRAM_SIZE = 100;
    /** The longest regex text considered at all (the Gateway API's limit on a path match value). */
    public static final int MAX_LENGTH = 1024;
    /** Instructions RE2 adds to every program (the unanchored prefix and the match). */
    private static final int OVERHEAD = 3;
    /** Estimates saturate here, far above the limit and far below a long overflow when two are multiplied. */
    private static final long SATURATED = 1_000_000_000L;

    private final String text;
    private int pos;

    private SafeRegex(String text) {
        this.text = text;
    }

    /** What is wrong with {@code regex} for Envoy (too long, too large a program, not RE2), or empty if nothing. */
    public static Optional<String> problem(String regex) {
        try {
            compile(regex);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * Compiles an RE2 regex once its size is known to be bounded.
     *
     * @throws IllegalArgumentException saying what is wrong (the message is meant for the client)
     */
    public static Pattern compile(String regex) {
        if (regex.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("regex is " + regex.length() + " characters, at most " + MAX_LENGTH
                + " are allowed");
        }
        long size = programSize(regex);
        if (size > MAX_PROGRAM_SIZE) {
            throw new IllegalArgumentException("regex program size is about "
                + (size >= SATURATED ? "10^9 or more" : Long.toString(size)) + " RE2 instructions, at most "
                + MAX_PROGRAM_SIZE + " are allowed (Envoy's limit; counted repetitions multiply)");
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("is not an RE2 regular expression: " + e.getDescription());
        }
    }

    /** The estimated RE2 program size of {@code regex} (saturating), computed without expanding anything. */
    static long programSize(String regex) {
        SafeRegex p = new SafeRegex(regex);
        long size = p.alternation();
        // An unbalanced ')' ends the parse early; what follows is still counted, re2j then reports the syntax error.
        while (p.pos < regex.length()) {
            p.pos++;
            size = add(size, p.alternation());
        }
        return add(size, OVERHEAD);
    }

    private long alternation() {
        long size = concatenation();
        while (pos < text.length() && text.charAt(pos) == '|') {
            pos++;
            size = add(add(size, concatenation()), 1);
        }
        return size;
    }

    private long concatenation() {
        long size = 0;
        while (pos < text.length() && text.charAt(pos) != '|' && text.charAt(pos) != ')') {
            long atom = atom();
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c == '*' || c == '+' || c == '?') {
                    pos++;
                    skipNonGreedy();
                    atom = add(atom, 1);
                } else if (c == '{' && isRepeat()) {
                    atom = repeat(atom);
                } else {
                    break;
                }
            }
            size = add(size, atom);
        }
        return size;
    }

    /** Whether pos starts {@code {n}}, {@code {n,}} or {@code {n,m}}; anything else is a literal '{' (RE2's rule). */
    private boolean isRepeat() {
        int end = text.indexOf('}', pos);
        return end > 0 && text.substring(pos + 1, end).matches("\\d{1,9}(,\\d{0,9})?");
    }

    /** The size of {@code inner} repeated by the counted repetition at pos, which it consumes. */
    private long repeat(long inner) {
        int end = text.indexOf('}', pos);
        String body = text.substring(pos + 1, end);
        pos = end + 1;
        skipNonGreedy();
        int comma = body.indexOf(',');
        long min = Long.parseLong(comma < 0 ? body : body.substring(0, comma));
        long max = comma < 0 ? min : comma == body.length() - 1 ? min + 1 : Long.parseLong(body.substring(comma + 1));
        // m copies, (m-n) quests, and the inner part once more as the simplifier builds it before copying.
        return add(add(multiply(inner, Math.max(max, 1)), Math.max(max - min, 0)), inner);
    }

    private void skipNonGreedy() {
        if (pos < text.length() && text.charAt(pos) == '?') {
            pos++;
        }
    }

    /** One atom at pos: a group, a class, an escape or a single character; its estimated size. */
    private long atom() {
        char c = text.charAt(pos);
        long size;
        if (c == '(') {
            size = group();
        } else if (c == '[') {
            skipClass();
            size = 1;
        } else if (c == '\\') {
            size = escape();
        } else {
            pos++;
            size = 1;
        }
        return size;
    }

    private long group() {
        pos++;
        long extra = 2;
        if (text.startsWith("?", pos)) {
            extra = text.startsWith("?P<", pos) || text.startsWith("?<", pos) ? 2 : 0;
            // Flags, a name or ':' up to the group's body; a bare flag group "(?i)" has no body.
            while (pos < text.length() && text.charAt(pos) != ':' && text.charAt(pos) != ')'
                && text.charAt(pos) != '>') {
                pos++;
            }
            if (pos < text.length() && text.charAt(pos) == ')') {
                pos++;
                return 0;
            }
            if (pos < text.length()) {
                pos++;
            }
        }
        long inner = alternation();
        if (pos < text.length() && text.charAt(pos) == ')') {
            pos++;
        }
        return add(inner, extra);
    }

    private void skipClass() {
        pos++;
        if (pos < text.length() && text.charAt(pos) == '^') {
            pos++;
        }
        if (pos < text.length() && text.charAt(pos) == ']') {
            pos++;
        }
        while (pos < text.length() && text.charAt(pos) != ']') {
            if (text.charAt(pos) == '\\') {
                escape();
            } else if (text.startsWith("[:", pos) && text.indexOf(":]", pos + 2) > 0) {
                pos = text.indexOf(":]", pos + 2) + 2;
            } else {
                pos++;
            }
        }
        pos++;
    }

    private long escape() {
        pos++;
        if (pos >= text.length()) {
            return 1;
        }
        char c = text.charAt(pos++);
        if (c == 'Q') {
            int end = text.indexOf("\\E", pos);
            int stop = end < 0 ? text.length() : end;
            long literals = stop - pos;
            pos = end < 0 ? stop : end + 2;
            return literals;
        }
        if ((c == 'p' || c == 'P' || c == 'x') && pos < text.length() && text.charAt(pos) == '{') {
            int end = text.indexOf('}', pos);
            pos = end < 0 ? text.length() : end + 1;
        } else if (c == 'p' || c == 'P') {
            pos = Math.min(pos + 1, text.length());
        } else if (c == 'x') {
            pos = Math.min(pos + 2, text.length());
        }
        return 1;
    }

    private static long add(long a, long b) {
        return Math.min(a + b, SATURATED);
    }

    private static long multiply(long a, long b) {
        return Math.min(a * b, SATURATED);
    }
}
