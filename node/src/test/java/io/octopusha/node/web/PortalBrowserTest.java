package io.octopusha.node.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.octopusha.node.local.NodeProcess;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.Ports;
import io.octopusha.node.testing.SystemTool;
import io.octopusha.node.testing.Tasks;
import io.octopusha.node.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The portal in real headless Chromium against three real node processes sharing one database. The tests run in
 * order on one browser and one cluster: later ones build on the state earlier ones left (a stopped node, say).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PortalBrowserTest {
    private static final Duration UI = Duration.ofSeconds(15);
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private static TestCluster cluster;
    private static final List<NodeProcess> nodes = new ArrayList<>();
    private static Chromium chromium;
    private static Api admin;

    @BeforeAll
    static void start() {
        SystemTool.require(PortalBrowserTest.class, SystemTool.CHROMIUM, SystemTool.CHROMEDRIVER);
        cluster = new TestCluster();
        for (String name : List.of("web1", "web2", "web3")) {
            nodes.add(NodeProcess.start(name, Ports.free(), cluster.environment(name, Map.of()),
                    cluster.root().resolve("logs/" + name + ".log"), List.of("-Xmx128m")));
        }
        nodes.forEach(n -> n.awaitReady(Duration.ofSeconds(60)));
        admin = new Api(nodes.get(0).baseUrl(), TestCluster.ADMIN_KEY);
        chromium = Chromium.start(1280, 860);
    }

    @AfterAll
    static void stop() {
        if (chromium != null) chromium.close();
        nodes.forEach(NodeProcess::close);
        if (cluster != null) cluster.close();
    }

    @Test
    @Order(1)
    void aWrongKeyIsRefusedWithAClearMessageAndTheAdminKeySignsIn() {
        open("/");
        signInWith("API-NOTAREALKEY000000000000");
        WebElement error = chromium.visible(By.id("signin-error"));
        chromium.waitUpTo(UI).until(d -> error.getText().contains("not accepted"));
        assertThat(chromium.driver.findElement(By.id("api-key")).getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(chromium.driver.findElement(By.id("nav")).isDisplayed()).isFalse();
        chromium.screenshot(SCREENSHOTS.resolve("sign-in-refused.png"));

        signInAs(TestCluster.ADMIN_KEY);
        assertThat(chromium.driver.findElement(By.id("user-role")).getText()).isEqualTo("Administrator");
        assertThat(chromium.script("return sessionStorage.getItem('octopus.apiKey')")).isEqualTo(TestCluster.ADMIN_KEY);
    }

    @Test
    @Order(2)
    void theNodesPageListsTheThreeNodesWithAccessibleHeadersAndRelativeTimes() {
        signInAs(TestCluster.ADMIN_KEY);
        open("/#/nodes");
        for (String name : List.of("web1", "web2", "web3")) awaitStatus(name, "Running");
        assertThat(chromium.driver.findElements(By.cssSelector("#nodes-table tbody tr"))).hasSize(3);
        assertThat(chromium.driver.findElements(By.cssSelector("#nodes-table thead th[scope=col]")).stream()
                .map(th -> th.getAttribute("textContent").trim()).toList())
                .containsExactly("Name", "Status", "Last seen", "Task cap", "Tasks", "Drain", "Last change", "Actions");
        WebElement lastSeen = row("web1").findElement(By.cssSelector(".col-last-seen time"));
        assertThat(lastSeen.getText()).matches("just now|\\d+ seconds ago");
        assertThat(lastSeen.getAttribute("title")).as("absolute time on hover").isNotBlank();
        assertThat(lastSeen.getAttribute("datetime")).isNotBlank();
        assertThat(cell("web1", "col-drain").getText()).isEqualTo("Off");
        assertThat(chromium.driver.findElement(By.id("offline-banner")).isDisplayed()).isFalse();

        // The table is updated in place: the same row element survives several refreshes.
        WebElement rowBefore = row("web2");
        chromium.script("arguments[0].dataset.marker = 'kept'", rowBefore);
        String firstSeen = lastSeen.getAttribute("datetime");
        chromium.waitUpTo(UI).until(d -> !firstSeen.equals(lastSeen.getAttribute("datetime")));
        assertThat(row("web2").getAttribute("data-marker")).isEqualTo("kept");
    }

    @Test
    @Order(3)
    void drainingANodeFromItsKeyboardMenuTurnsItsPingTo418AndUndrainingBack() {
        signInAs(TestCluster.ADMIN_KEY);
        open("/#/nodes");
        awaitStatus("web2", "Running");
        WebElement menuButton = menuButton("web2");

        menuButton.sendKeys(Keys.ENTER);
        assertThat(menuButton.getAttribute("aria-expanded")).isEqualTo("true");
        WebElement focused = chromium.driver.switchTo().activeElement();
        assertThat(focused.getAttribute("role")).isEqualTo("menuitem");
        assertThat(focused.getText()).isEqualTo("Drain");
        focused.sendKeys(Keys.ESCAPE);
        assertThat(menuButton.getAttribute("aria-expanded")).isEqualTo("false");
        assertThat(chromium.driver.switchTo().activeElement()).isEqualTo(menuButton);
        assertThat(chromium.driver.findElements(By.cssSelector("[role=menuitem]"))).isEmpty();
        menuButton.sendKeys(Keys.ARROW_DOWN);
        chromium.driver.switchTo().activeElement().sendKeys(Keys.ARROW_DOWN);
        assertThat(chromium.driver.switchTo().activeElement().getText()).isEqualTo("Edit task cap");
        chromium.driver.switchTo().activeElement().sendKeys(Keys.TAB);
        assertThat(menuButton.getAttribute("aria-expanded")).isEqualTo("false");
        assertThat(chromium.driver.switchTo().activeElement().getTagName()).as("focus stays in the page").isNotEqualTo("body");

        chooseMenuItem("web2", "Drain");
        awaitStatus("web2", "Draining", "Drained");
        assertThat(cell("web2", "col-drain").getText()).isEqualTo("On");
        // The Nodes page shows who made the last change, from the audit trail's node columns.
        chromium.waitUpTo(UI).until(d -> cell("web2", "col-last-change").getText()
                .matches("(just now|\\d+ seconds ago)\\s+by Bootstrap administrator \\(OCTOPUS_ADMIN_API_KEY\\)"));
        Api web2 = new Api(nodes.get(1).baseUrl(), null);
        await().atMost(Duration.ofSeconds(5)).until(() -> web2.get("/api/octopusservernodes/ping").status() == 418);
        assertThat(admin.get("/api/octopusservernodes/OctopusServerNodes-web2").json().get("IsInMaintenanceMode").asBoolean()).isTrue();

        chooseMenuItem("web2", "Undrain");
        awaitStatus("web2", "Running");
        await().atMost(Duration.ofSeconds(5)).until(() -> web2.get("/api/octopusservernodes/ping").status() == 200);
    }

    @Test
    @Order(4)
    void editingATaskCapRejectsOutOfRangeValuesInlineAndSavesAValidOne() {
        signInAs(TestCluster.ADMIN_KEY);
        open("/#/nodes");
        awaitStatus("web1", "Running");
        int before = capOf("web1");

        chooseMenuItem("web1", "Edit task cap");
        WebElement input = chromium.visible(By.id("cap-input"));
        input.clear();
        input.sendKeys("1001", Keys.ENTER);
        WebElement error = chromium.visible(By.id("cap-error"));
        assertThat(error.getText()).isEqualTo("Enter a whole number from 0 to 1000.");
        assertThat(input.getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(chromium.driver.findElement(By.id("cap-dialog")).isDisplayed()).isTrue();
        assertThat(capOf("web1")).isEqualTo(before);

        input.clear();
        input.sendKeys("7");
        chromium.driver.findElement(By.id("cap-save")).click();
        chromium.waitUpTo(UI).until(ExpectedConditions.invisibilityOfElementLocated(By.id("cap-dialog")));
        assertThat(capOf("web1")).isEqualTo(7);
        chromium.waitUpTo(UI).until(d -> cell("web1", "col-cap").getText().equals("7"));
        assertThat(chromium.driver.switchTo().activeElement()).as("focus returns to the menu button").isEqualTo(menuButton("web1"));
    }

    @Test
    @Order(5)
    void aRunningTaskIsFoundFromItsNodeTailedLiveAndCancelledFromItsPage() {
        signInAs(TestCluster.ADMIN_KEY);
        String id = Tasks.script(admin, "for i in $(seq 1 600); do echo \"tick $i\"; sleep 0.1; done");
        String node = Tasks.awaitState(admin, id, "Executing", Duration.ofSeconds(20)).get("ServerNode").asText();

        open("/#/nodes");
        chromium.waitUpTo(UI).until(d -> cell(node, "col-tasks").getText().equals("1"));
        cell(node, "col-tasks").findElement(By.tagName("a")).click();
        chromium.waitUpTo(UI).until(d -> d.getCurrentUrl().contains("#/tasks?node=" + node));
        assertThat(new Select(chromium.visible(By.id("filter-node")))
                .getFirstSelectedOption().getText()).isEqualTo(node);
        WebElement link = chromium.visible(By.cssSelector("#tasks-table tr[data-task='" + id + "'] a"));
        link.click();

        chromium.waitUpTo(UI).until(d -> d.findElement(By.cssSelector("[data-field=State]")).getText().equals("Executing"));
        assertThat(chromium.driver.findElement(By.cssSelector("[data-field=ServerNode]")).getText()).isEqualTo(node);
        WebElement log = chromium.driver.findElement(By.id("task-log"));
        chromium.waitUpTo(UI).until(d -> log.getText().contains("tick 2"));
        // Live tail: lines written after the page loaded appear without a reload.
        int shown = ticks(log.getText());
        chromium.waitUpTo(UI).until(d -> ticks(log.getText()) >= shown + 5);

        chromium.driver.findElement(By.id("cancel-task")).click();
        Tasks.awaitState(admin, id, "Canceled", Duration.ofSeconds(20));
        chromium.waitUpTo(UI).until(d -> d.findElement(By.cssSelector("[data-field=State]")).getText().equals("Canceled"));
        assertThat(chromium.driver.findElement(By.id("cancel-task")).isDisplayed()).isFalse();
        assertThat(chromium.driver.findElement(By.cssSelector("[data-field=CompletedTime]")).getText()).isNotEqualTo("—");
        chromium.screenshot(SCREENSHOTS.resolve("task-page.png"));

        // The list filters by state through the UI: the cancelled task is among the Canceled ones only.
        open("/#/tasks");
        chromium.visible(By.cssSelector("#tasks-table tr[data-task='" + id + "']"));
        new Select(chromium.driver.findElement(By.id("filter-state"))).selectByVisibleText("Canceled");
        chromium.waitUpTo(UI).until(d -> d.getCurrentUrl().endsWith("#/tasks?state=Canceled"));
        chromium.visible(By.cssSelector("#tasks-table tr[data-task='" + id + "']"));
        assertThat(chromium.driver.findElements(By.cssSelector("#tasks-table tbody .status")).stream()
                .map(WebElement::getText).distinct().toList()).containsExactly("Canceled");
        new Select(chromium.driver.findElement(By.id("filter-state"))).selectByVisibleText("Executing");
        chromium.waitUpTo(UI).until(d -> d.findElements(By.cssSelector("#tasks-table tr[data-task='" + id + "']")).isEmpty());
    }

    @Test
    @Order(6)
    void theOfflineBannerNamesAStoppedNode() {
        signInAs(TestCluster.ADMIN_KEY);
        admin.put("/api/octopusservernodes/OctopusServerNodes-web2", "{\"IsInMaintenanceMode\":true}");
        Api web2 = new Api(nodes.get(1).baseUrl(), null);
        await().atMost(Duration.ofSeconds(5)).until(() -> web2.get("/api/octopusservernodes/ping").status() == 418);
        String busy = Tasks.delay(admin, 120_000);
        Tasks.awaitState(admin, busy, "Executing", Duration.ofSeconds(20));
        open("/#/nodes");
        awaitStatus("web2", "Drained");

        nodes.get(2).kill();
        WebElement banner = chromium.waitUpTo(Duration.ofSeconds(20))
                .until(ExpectedConditions.visibilityOfElementLocated(By.id("offline-banner")));
        assertThat(banner.getAttribute("role")).isEqualTo("alert");
        chromium.waitUpTo(UI).until(d -> banner.getText().startsWith("1 node is offline: web3 (not seen since "));
        awaitStatus("web3", "Offline");
        awaitStatus("web1", "Running");
        // Work for the screenshot: with web2 drained and web3 gone, web1 runs all of it.
        List<String> work = new ArrayList<>(List.of(busy));
        for (int i = 0; i < 3; i++) work.add(Tasks.delay(admin, 120_000));
        work.subList(1, work.size()).forEach(t -> assertThat(Tasks.awaitState(admin, t, "Executing", Duration.ofSeconds(20))
                .get("ServerNode").asText()).isEqualTo("web1"));
        String runningOnWeb1 = admin.get("/api/tasks?node=web1&states=Executing&take=0").json().get("TotalResults").asText();
        chromium.waitUpTo(UI).until(d -> cell("web1", "col-tasks").getText().equals(runningOnWeb1));
        chromium.screenshot(SCREENSHOTS.resolve("nodes-page.png"));

        // 800 px wide: the page still fits without sideways scrolling.
        chromium.resizeViewport(800, 700);
        chromium.waitUpTo(UI).until(d -> (Long) chromium.script("return window.innerWidth") == 800L);
        assertThat((Long) chromium.script("return document.documentElement.scrollWidth")).isLessThanOrEqualTo(800L);
        assertThat(menuButton("web1").isDisplayed()).isTrue();
        chromium.screenshot(SCREENSHOTS.resolve("nodes-page-800.png"));
        chromium.resizeViewport(1280, 860);
        work.forEach(t -> admin.post("/api/tasks/" + t + "/cancel", null));
    }

    @Test
    @Order(7)
    void anOperatorCanDrainAndCapButIsNotOfferedDelete() {
        signInAs(keyFor("Operator"));
        assertThat(chromium.driver.findElement(By.id("user-role")).getText()).isEqualTo("Operator");
        open("/#/nodes");
        awaitStatus("web3", "Offline");
        assertThat(menuItems("web3")).containsExactly("Drain", "Edit task cap");
        assertThat(menuItems("web2")).containsExactly("Undrain", "Edit task cap");
    }

    @Test
    @Order(8)
    void aViewerSeesEverythingButNoWriteControls() {
        String running = Tasks.delay(admin, 120_000);
        Tasks.awaitState(admin, running, "Executing", Duration.ofSeconds(20));
        signInAs(keyFor("Viewer"));
        open("/#/nodes");
        awaitStatus("web1", "Running");
        assertThat(chromium.driver.findElements(By.cssSelector("#nodes-table tbody tr"))).hasSize(3);
        assertThat(chromium.driver.findElements(By.cssSelector(".menu-button, [role=menu], [role=menuitem]"))).isEmpty();

        open("/#/tasks/" + running);
        chromium.waitUpTo(UI).until(d -> d.findElement(By.cssSelector("[data-field=State]")).getText().equals("Executing"));
        assertThat(chromium.driver.findElements(By.id("cancel-task"))).isEmpty();
        assertThat(chromium.driver.findElements(By.cssSelector("main button")).stream().map(WebElement::getText).toList())
                .containsExactly("Download full log");
        admin.post("/api/tasks/" + running + "/cancel", null);
    }

    @Test
    @Order(9)
    void anAdministratorDeletesAnOfflineNodeAfterConfirming() {
        signInAs(TestCluster.ADMIN_KEY);
        open("/#/nodes");
        awaitStatus("web3", "Offline");
        assertThat(menuItems("web1")).as("a running node cannot be deleted").containsExactly("Drain", "Edit task cap");
        assertThat(menuItems("web2")).as("a drained node that still runs would register again, undrained")
                .containsExactly("Undrain", "Edit task cap");

        chooseMenuItem("web3", "Delete");
        WebElement dialog = chromium.visible(By.id("delete-dialog"));
        assertThat(dialog.getText()).contains("Delete node web3?");
        assertThat(chromium.driver.switchTo().activeElement().getAttribute("id")).as("Cancel is the safe default").isEqualTo("delete-cancel");
        chromium.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        chromium.waitUpTo(UI).until(ExpectedConditions.invisibilityOf(dialog));
        assertThat(admin.get("/api/octopusservernodes/OctopusServerNodes-web3").status()).isEqualTo(200);

        chooseMenuItem("web3", "Delete");
        chromium.visible(By.id("delete-confirm")).click();
        chromium.waitUpTo(UI).until(d -> d.findElements(By.cssSelector("#nodes-table tr[data-node=web3]")).isEmpty());
        assertThat(admin.get("/api/octopusservernodes/OctopusServerNodes-web3").status()).isEqualTo(404);
    }

    private static void open(String path) {
        chromium.driver.get(nodes.get(0).baseUrl() + path);
    }

    private static void signInWith(String key) {
        WebElement input = chromium.visible(By.id("api-key"));
        input.clear();
        input.sendKeys(key);
        chromium.driver.findElement(By.id("sign-in")).click();
    }

    /** Starts from a signed-out tab, so each test's role is exactly the one it asks for. */
    private static void signInAs(String key) {
        open("/");
        chromium.script("sessionStorage.clear()");
        chromium.driver.navigate().refresh();
        signInWith(key);
        chromium.visible(By.id("nav"));
    }

    /** A new key of that role, once the node the browser talks to accepts it (keys reach each node's cache by NOTIFY). */
    private static String keyFor(String role) {
        String key = admin.post("/api/apikeys", "{\"Purpose\":\"portal " + role + "\",\"Role\":\"" + role + "\"}")
                .json().get("ApiKey").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> admin.withKey(key).get("/api/users/me").status() == 200);
        return key;
    }

    private static WebElement row(String node) {
        return chromium.visible(By.cssSelector("#nodes-table tr[data-node='" + node + "']"));
    }

    private static WebElement cell(String node, String column) {
        return row(node).findElement(By.className(column));
    }

    private static WebElement menuButton(String node) {
        return row(node).findElement(By.className("menu-button"));
    }

    private static void awaitStatus(String node, String... statuses) {
        chromium.waitUpTo(UI).until(d -> List.of(statuses).contains(cell(node, "col-status").getText()));
    }

    private static List<String> menuItems(String node) {
        WebElement button = menuButton(node);
        button.click();
        List<String> items = row(node).findElements(By.cssSelector("[role=menuitem]")).stream().map(WebElement::getText).toList();
        button.click();
        return items;
    }

    private static void chooseMenuItem(String node, String item) {
        menuButton(node).click();
        row(node).findElements(By.cssSelector("[role=menuitem]")).stream()
                .filter(e -> e.getText().equals(item)).findFirst()
                .orElseThrow(() -> new AssertionError("no menu item " + item + " for " + node))
                .click();
    }

    private static int capOf(String node) {
        JsonNode json = admin.get("/api/octopusservernodes/OctopusServerNodes-" + node).json();
        return json.get("MaxConcurrentTasks").asInt();
    }

    private static int ticks(String log) {
        return (int) log.lines().filter(l -> l.contains("tick ")).count();
    }
}
