package io.octopusha.node.api;

import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** What the node tells browsers: the portal's Content-Security-Policy and the headers every answer carries. */
class BrowserHardeningTest {
    private static TestCluster cluster;
    private static Api admin;

    @BeforeAll
    static void start() {
        cluster = new TestCluster();
        admin = cluster.api(cluster.start("headers"));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void thePortalMayRunOnlyItsOwnFilesAndBeFramedByNobody() {
        for (String path : List.of("/", "/index.html", "/app.js", "/app.css")) {
            Api.Response response = admin.withKey(null).get(path);
            assertThat(response.status()).as(path).isEqualTo(200);
            String policy = response.headers().firstValue("Content-Security-Policy").orElse("");
            assertThat(policy).as(path).contains("default-src 'none'", "script-src 'self'", "connect-src 'self'",
                    "frame-ancestors 'none'", "base-uri 'none'").doesNotContain("unsafe-inline", "unsafe-eval", "*");
            assertCommonHeaders(path, response.headers());
        }
    }

    @Test
    void apiAnswersAreNotSniffedAndACreatedKeyIsNeverCached() {
        for (Api.Response response : List.of(admin.get("/api/octopusservernodes"), admin.withKey(null).get("/api"),
                admin.withKey(null).get("/api/no-such-route"), admin.get("/metrics"))) {
            assertCommonHeaders(response.body(), response.headers());
            assertThat(response.headers().firstValue("Content-Security-Policy")).hasValue("default-src 'none'; frame-ancestors 'none'");
        }
        Api.Response created = admin.post("/api/apikeys", "{\"Purpose\":\"cache test\",\"Role\":\"Viewer\"}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertCommonHeaders("POST /api/apikeys", created.headers());
    }

    /** The policy forbids inline script: the portal's files must have none, nor inline event handlers or styles. */
    @Test
    void thePortalsFilesHoldNoInlineScriptOrHandlers() throws IOException {
        String html = resource("/web/index.html");
        assertThat(Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>", Pattern.CASE_INSENSITIVE).matcher(html).find())
                .as("an inline <script> in index.html").isFalse();
        assertThat(html).doesNotContainPattern("(?i)\\son[a-z]+\\s*=").doesNotContainPattern("(?i)\\sstyle\\s*=")
                .doesNotContainPattern("(?i)javascript:");
        String js = resource("/web/app.js");
        assertThat(js).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "eval(", "new Function")
                .doesNotContainPattern("setTimeout\\(\\s*[\"'`]")
                .as("a style attribute (el({style}) or setAttribute(\"style\"))").doesNotContainPattern("\\bstyle[\"']?\\s*[:,]");
    }

    private static void assertCommonHeaders(String what, HttpHeaders headers) {
        assertThat(headers.firstValue("X-Content-Type-Options")).as(what).hasValue("nosniff");
        assertThat(headers.firstValue("Referrer-Policy")).as(what).hasValue("no-referrer");
        assertThat(headers.firstValue("X-Frame-Options")).as(what).hasValue("DENY");
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = BrowserHardeningTest.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
