package io.octopusha.node.testing;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The RFC 6570 templates Octopus's links use, expanded as its clients do: {@code {name}} (a path value), {@code {/name}}
 * (a path segment, left out without a value) and {@code {?a,b}} (query parameters with values; without any, nothing).
 */
public final class UriTemplate {
    private static final Pattern EXPRESSION = Pattern.compile("\\{([/?&]?)([^}]*)}");

    private UriTemplate() {
    }

    public static String expand(String template, Map<String, ?> values) {
        Matcher m = EXPRESSION.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String operator = m.group(1);
            List<String> parts = new ArrayList<>();
            for (String name : m.group(2).split(",")) {
                Object value = values.get(name);
                if (value == null) continue;
                parts.add(operator.equals("?") || operator.equals("&") ? name + "=" + encode(value.toString()) : encode(value.toString()));
            }
            String expansion = switch (operator) {
                case "/" -> parts.isEmpty() ? "" : "/" + String.join("/", parts);
                case "?" -> parts.isEmpty() ? "" : "?" + String.join("&", parts);
                case "&" -> parts.isEmpty() ? "" : "&" + String.join("&", parts);
                default -> String.join(",", parts);
            };
            m.appendReplacement(out, Matcher.quoteReplacement(expansion));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The variables a template names. */
    public static List<String> variables(String template) {
        List<String> names = new ArrayList<>();
        Matcher m = EXPRESSION.matcher(template);
        while (m.find()) names.addAll(List.of(m.group(2).split(",")));
        return names;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
