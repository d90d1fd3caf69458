package io.octopusha.node.storage;

import io.octopusha.node.input.InvalidInputException;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A package file name, {@code <PackageId>.<Version><ext>}, parsed as Octopus does: the version starts at the
 * first dot followed by a digit from which the rest is a SemVer or 4-part version. Anything that could
 * escape the packages folder or confuse a file system is refused.
 */
public record PackageFileName(String packageId, String version, String extension) {
    public static final List<String> EXTENSIONS = List.of(".tar.gz", ".tgz", ".tar", ".zip", ".nupkg", ".jar");
    private static final int MAX_LENGTH = 200;
    private static final Pattern PACKAGE_ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");
    private static final Pattern VERSION = Pattern.compile(
            "\\d+(\\.\\d+){1,3}(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?");

    public static PackageFileName parse(String fileName) {
        if (fileName == null || fileName.isBlank()) throw new InvalidInputException("The upload has no file name.");
        if (fileName.length() > MAX_LENGTH) {
            throw new InvalidInputException("The file name is longer than " + MAX_LENGTH + " characters.");
        }
        if (fileName.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidInputException("The file name contains control characters.");
        }
        if (fileName.contains("/") || fileName.contains("\\") || fileName.contains("..") || fileName.contains(":")) {
            throw new InvalidInputException("The file name '" + fileName + "' must not contain path separators, ':' or '..'.");
        }
        String extension = EXTENSIONS.stream().filter(e -> fileName.toLowerCase().endsWith(e)).findFirst()
                .orElseThrow(() -> new InvalidInputException("The file '" + fileName + "' is not a supported package: use one of "
                        + String.join(", ", EXTENSIONS) + "."));
        String base = fileName.substring(0, fileName.length() - extension.length());
        for (int i = base.indexOf('.'); i > 0; i = base.indexOf('.', i + 1)) {
            if (i + 1 < base.length() && Character.isDigit(base.charAt(i + 1))) {
                String id = base.substring(0, i);
                String version = base.substring(i + 1);
                if (VERSION.matcher(version).matches() && PACKAGE_ID.matcher(id).matches()) {
                    return new PackageFileName(id, version, fileName.substring(fileName.length() - extension.length()));
                }
            }
        }
        throw new InvalidInputException("The file name '" + fileName + "' is not <PackageId>.<Version>" + extension
                + " with a SemVer or 4-part version, such as MyApp.1.2.3" + extension + ".");
    }

    /** Octopus's package resource Id. */
    public String id() {
        return "packages-" + packageId + "." + version;
    }

    public String fileName() {
        return packageId + "." + version + extension;
    }
}
