package io.octopusha.node.testing;

import java.util.List;
import java.util.Random;

/** Hostile inputs from a seed: random JSON, wrong types, extreme numbers, odd unicode, SQL and path metacharacters. */
public final class RandomInputs {
    private static final List<String> NASTY_STRINGS = List.of(
            "", " ", "' OR 1=1 --", "\"; DROP TABLE server_task; --", "%", "_", "\\", "%00", "../../etc/passwd",
            "..\\..\\windows", "$(echo fuzz)", "`echo fuzz`", "<script>alert(1)</script>", "\u0000", "\u202Eevil", "😀🐙",
            "\uD800", "ServerTasks-", "ServerTasks-99999999999999999999", "OctopusServerNodes-", "null", "true",
            "-1", "1e400", "NaN", "Spaces-1,Spaces-1", ",,,", "Queued,,Nope");
    private static final List<String> NASTY_NUMBERS = List.of(
            "0", "-0", "-1", "1001", "2147483648", "-2147483649", "1e400", "-1e400", "1.5", "9".repeat(400), "0.0000001");

    private final Random random;

    public RandomInputs(long seed) {
        this.random = new Random(seed);
    }

    public String string() {
        return switch (random.nextInt(5)) {
            case 0 -> NASTY_STRINGS.get(random.nextInt(NASTY_STRINGS.size()));
            case 1 -> "x".repeat(random.nextInt(20_000));
            case 2 -> randomUnicode(random.nextInt(64));
            case 3 -> NASTY_NUMBERS.get(random.nextInt(NASTY_NUMBERS.size()));
            default -> Long.toString(random.nextLong());
        };
    }

    public String json(int depth) {
        int pick = random.nextInt(depth > 6 ? 6 : 9);
        return switch (pick) {
            case 0 -> "null";
            case 1 -> random.nextBoolean() ? "true" : "false";
            case 2 -> NASTY_NUMBERS.get(random.nextInt(NASTY_NUMBERS.size()));
            case 3, 4 -> quote(string());
            case 5 -> Integer.toString(random.nextInt());
            case 6, 7 -> object(depth + 1);
            default -> array(depth + 1);
        };
    }

    public String object(int depth) {
        StringBuilder b = new StringBuilder("{");
        int n = random.nextInt(5);
        for (int i = 0; i < n; i++) {
            if (i > 0) b.append(',');
            b.append(quote(fieldName())).append(':').append(json(depth));
        }
        return b.append('}').toString();
    }

    /** A body for a write route: a valid-looking shape with something wrong, or junk outright. */
    public String body(List<String> fields) {
        return switch (random.nextInt(8)) {
            case 0 -> object(0);
            case 1 -> json(0);
            case 2 -> "{\"" + fields.getFirst() + "\":1,\"" + fields.getFirst() + "\":2}";
            case 3 -> "[".repeat(200) + "]".repeat(200);
            case 4 -> "{" + "\"a\":{".repeat(100) + "}".repeat(101);
            case 5 -> new String(bytes(random.nextInt(200)), java.nio.charset.StandardCharsets.ISO_8859_1);
            default -> {
                StringBuilder b = new StringBuilder("{");
                for (int i = 0; i < fields.size(); i++) {
                    if (i > 0) b.append(',');
                    b.append(quote(fields.get(i))).append(':').append(json(3));
                }
                yield b.append('}').toString();
            }
        };
    }

    private String fieldName() {
        List<String> known = List.of("Name", "Arguments", "MaxConcurrentTasks", "IsInMaintenanceMode", "Purpose", "Role",
                "QueueTimeExpiry", "SpaceId", "Description", "ScriptBody", "Milliseconds", "TimeoutSeconds");
        return random.nextInt(3) == 0 ? string() : known.get(random.nextInt(known.size()));
    }

    private String array(int depth) {
        StringBuilder b = new StringBuilder("[");
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            if (i > 0) b.append(',');
            b.append(json(depth));
        }
        return b.append(']').toString();
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private String randomUnicode(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) b.appendCodePoint(1 + random.nextInt(0x2FFFF));
        return b.toString();
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }
}
