package io.octopusha.node.storage;

import java.math.BigInteger;
import java.util.Comparator;

/**
 * Orders package versions as SemVer 2.0 does, extended to Octopus's 4-part versions: the numeric parts numerically (a
 * missing fourth part is 0), a release after its pre-releases, pre-release identifiers one by one (numbers numerically
 * and before words, words in ASCII order, more identifiers after fewer), build metadata ignored. Versions are those
 * {@link PackageFileName} accepts.
 */
public final class PackageVersion {
    public static final Comparator<String> ORDER = PackageVersion::compare;

    private PackageVersion() {
    }

    public static int compare(String a, String b) {
        String[] left = split(a);
        String[] right = split(b);
        String[] leftNumbers = left[0].split("\\.");
        String[] rightNumbers = right[0].split("\\.");
        for (int i = 0; i < Math.max(leftNumbers.length, rightNumbers.length); i++) {
            int c = number(leftNumbers, i).compareTo(number(rightNumbers, i));
            if (c != 0) return c;
        }
        if (left[1] == null || right[1] == null) {
            return left[1] == null ? (right[1] == null ? 0 : 1) : -1;
        }
        String[] leftIds = left[1].split("\\.");
        String[] rightIds = right[1].split("\\.");
        for (int i = 0; i < Math.min(leftIds.length, rightIds.length); i++) {
            int c = identifier(leftIds[i], rightIds[i]);
            if (c != 0) return c;
        }
        return Integer.compare(leftIds.length, rightIds.length);
    }

    /** The numeric part and the pre-release part (null for a release); build metadata is dropped. */
    private static String[] split(String version) {
        int plus = version.indexOf('+');
        String withoutBuild = plus < 0 ? version : version.substring(0, plus);
        int dash = withoutBuild.indexOf('-');
        return dash < 0 ? new String[]{withoutBuild, null} : new String[]{withoutBuild.substring(0, dash), withoutBuild.substring(dash + 1)};
    }

    private static BigInteger number(String[] parts, int i) {
        if (i >= parts.length || parts[i].isEmpty() || !parts[i].chars().allMatch(Character::isDigit)) return BigInteger.ZERO;
        return new BigInteger(parts[i]);
    }

    private static int identifier(String a, String b) {
        boolean numericA = !a.isEmpty() && a.chars().allMatch(Character::isDigit);
        boolean numericB = !b.isEmpty() && b.chars().allMatch(Character::isDigit);
        if (numericA && numericB) return new BigInteger(a).compareTo(new BigInteger(b));
        if (numericA != numericB) return numericA ? -1 : 1;
        return a.compareTo(b);
    }
}
