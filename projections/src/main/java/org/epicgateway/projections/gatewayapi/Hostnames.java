package org.epicgateway.projections.gatewayapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Gateway API hostname semantics: {@code *.} is a suffix wildcard matching one or more labels but never the apex;
 * comparisons are case-insensitive; {@code *} alone (no hostname) matches everything.
 */
public final class Hostnames {
    /** The hostname of a listener or route that names none. */
    public static final String ANY = "*";

    private Hostnames() {}

    public static boolean isWildcard(String hostname) {
        return hostname.startsWith("*.");
    }

    /**
     * Whether {@code pattern} covers {@code hostname}: equal, {@code *}, or a wildcard whose suffix the hostname
     * (itself possibly a narrower wildcard) ends with after at least one more label.
     */
    public static boolean covers(String pattern, String hostname) {
        String p = pattern.toLowerCase(Locale.ROOT);
        String h = hostname.toLowerCase(Locale.ROOT);
        if (p.equals(ANY) || p.equals(h)) {
            return true;
        }
        if (!isWildcard(p) || h.equals(ANY)) {
            return false;
        }
        String suffix = p.substring(1); // ".example.com"
        String rest = isWildcard(h) ? h.substring(1) : h;
        return rest.endsWith(suffix) && rest.length() > suffix.length();
    }

    /**
     * Every pattern that {@link #covers} {@code hostname}: itself, {@code *}, and {@code *.}+each proper label suffix
     * (for a wildcard, of the part after {@code *.}, keeping at least one label).
     */
    public static List<String> coveringPatterns(String hostname) {
        String h = hostname.toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>(List.of(h, ANY));
        String rest = isWildcard(h) ? h.substring(2) : h;
        for (int dot = rest.indexOf('.'); dot >= 0; dot = rest.indexOf('.', dot + 1)) {
            out.add("*" + rest.substring(dot));
        }
        return out;
    }

    /**
     * The effective hostnames of a route on a listener (spec HTTPRouteSpec.Hostnames): a route without hostnames
     * takes the listener's (or {@code *}); otherwise each route hostname intersecting the listener hostname
     * contributes the narrower of the two. Empty means the route does not intersect the listener.
     */
    public static List<String> intersect(String listenerHostname, List<String> routeHostnames) {
        String listener = listenerHostname == null ? ANY : listenerHostname.toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>();
        if (routeHostnames.isEmpty()) {
            out.add(listener);
            return out;
        }
        for (String raw : routeHostnames) {
            String route = raw.toLowerCase(Locale.ROOT);
            String effective = covers(listener, route) ? route : covers(route, listener) ? listener : null;
            if (effective != null && !out.contains(effective)) {
                out.add(effective);
            }
        }
        return out;
    }

    /** Whether some hostname matches a pattern of each list (one covers the other: wildcards are suffixes). */
    public static boolean overlap(List<String> a, List<String> b) {
        return a.stream().anyMatch(x -> b.stream().anyMatch(y -> covers(x, y) || covers(y, x)));
    }

    /** Characters of a hostname that are not wildcard, the spec's tie-break of hostname specificity. */
    public static int exactLength(String hostname) {
        return isWildcard(hostname) || hostname.equals(ANY) ? 0 : hostname.length();
    }

    /** Characters of a hostname, wildcards counted without the {@code *}. */
    public static int length(String hostname) {
        return hostname.equals(ANY) ? 0 : isWildcard(hostname) ? hostname.length() - 1 : hostname.length();
    }
}
