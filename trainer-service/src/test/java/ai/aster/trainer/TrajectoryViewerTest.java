package ai.aster.trainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.aster.kafka.LocalKafka;
import ai.aster.trainer.support.LocalKafkaResource;
import ai.aster.trainer.support.Trajectories;
import ai.aster.trainer.support.TrajectoryTopic;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The trajectory viewer (/ui) in a real headless Chromium, against trajectories that came through the real Kafka
 * ingest: the list, its filters, one trajectory with its code, output and token view. Screenshots go to
 * target/ui-*.png. Every wait is for an element or a condition of the page, never a fixed time.
 */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
class TrajectoryViewerTest {

    private static final String TOKEN = "test-internal-token";
    private static final Duration LONG = Duration.ofMinutes(3);
    private static final String CODE = "from sympy import factorint\nprint(factorint(360))";
    private static final String OUTPUT = "{2: 3, 3: 2, 5: 1}\n";

    private static WebDriver browser;

    LocalKafka kafka;

    @TestHTTPResource("/ui/")
    URL ui;

    private final String run = UUID.randomUUID().toString();

    @BeforeAll
    static void startBrowser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1300,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    /** Six trajectories of this run through Kafka: sources, correctness, tool calls and policy versions differ. */
    @BeforeEach
    void publish() {
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ObjectNode t = Trajectories.trajectory(id(i), run, 1 + i % 3, 5000 + i);
            t.put("source", i % 2 == 0 ? "rollout" : "eval");
            t.put("policy_version", i);
            t.put("reference_answer", i < 4 ? "5" : "7");
            records.add(Map.entry(id(i), Trajectories.bytes(t)));
        }
        ObjectNode featured = Trajectories.trajectory(id(6), run, 3, 7000);
        featured.putArray("messages").addObject().put("role", "user")
                .put("content", "How many positive divisors does 360 have? Put the answer in \\boxed{}.");
        ObjectNode turn = (ObjectNode) featured.get("turns").get(0);
        turn.put("completion_text", "<think>\nFactor 360 first.\n</think>\n<tool_call>\n{\"name\": \"code_interpreter\","
                + " \"arguments\": {\"code\": \"...\"}}\n</tool_call>");
        ((ObjectNode) turn.get("tool_call")).put("code", CODE);
        ((ObjectNode) turn.get("tool_result")).put("text", OUTPUT).put("duration_ms", 412);
        ObjectNode last = (ObjectNode) featured.get("turns").get(2);
        last.put("completion_text", "<think>\n(3+1)(2+1)(1+1) = 24\n</think>\n\nIt has \\boxed{24} divisors.");
        featured.put("final_answer", "It has \\boxed{24} divisors.");
        featured.put("reference_answer", "24");
        records.add(Map.entry(id(6), Trajectories.bytes(featured)));
        try (TrajectoryTopic topic = new TrajectoryTopic(kafka.bootstrapServers())) {
            topic.publishAll(records);
        }
        await().dontCatchUncaughtExceptions().atMost(LONG).until(() -> given()
                .header("Authorization", "Bearer " + TOKEN).queryParam("problem_id", run)
                .get("/v1/trajectories").jsonPath().getList("data").size() == 7);
    }

    private String id(int i) {
        return run + "-" + i;
    }

    @Test
    void theListShowsTheTrajectoriesAndFiltersThem() throws IOException {
        browser.get(ui + "#token=" + TOKEN);
        // the token left the address bar at once
        assertThat(browser.getCurrentUrl()).doesNotContain(TOKEN);
        filter(Map.of("problem_id", run));
        assertThat(shownIds()).containsExactlyInAnyOrder(id(0), id(1), id(2), id(3), id(4), id(5), id(6));
        screenshot("ui-list.png");

        filter(Map.of("problem_id", run, "source", "eval"));
        assertThat(shownIds()).containsExactlyInAnyOrder(id(1), id(3), id(5));
        filter(Map.of("problem_id", run, "correct", "false"));
        assertThat(shownIds()).containsExactlyInAnyOrder(id(4), id(5));
        filter(Map.of("problem_id", run, "finish_reason", "length"));
        assertThat(shownIds()).isEmpty();
        assertThat(browser.findElement(By.id("list-status")).getText()).isEqualTo("No trajectories match.");
        // tool calls: 0,1,2,0,1,2 for 0..5 and 2 for the featured one
        filter(Map.of("problem_id", run, "min_tool_calls", "2"));
        assertThat(shownIds()).containsExactlyInAnyOrder(id(2), id(5), id(6));
        filter(Map.of("problem_id", run, "min_policy_version", "2", "max_policy_version", "3"));
        assertThat(shownIds()).containsExactlyInAnyOrder(id(2), id(3), id(6));
        screenshot("ui-list-filtered.png");
    }

    @Test
    void aTrajectoryReadsAsAPersonReadsItWithItsTokenView() throws IOException {
        browser.get(ui + "#token=" + TOKEN);
        filter(Map.of("problem_id", run));
        browser.findElement(By.cssSelector("tr[data-id='" + id(6) + "']")).click();
        WebElement answer = waitFor(By.id("answer"));
        assertThat(answer.getText()).isEqualTo("It has \\boxed{24} divisors.");
        assertThat(browser.findElement(By.id("question")).getText()).startsWith("How many positive divisors");
        List<String> code = texts(By.cssSelector("pre.code"));
        assertThat(code).hasSize(2);
        assertThat(code.get(0)).isEqualTo(CODE);
        List<String> outputs = texts(By.cssSelector("pre.output"));
        assertThat(outputs.get(0)).isEqualTo(OUTPUT.strip());
        assertThat(browser.findElement(By.id("detail")).getText())
                .contains("Factor 360 first.").contains("412 ms").contains("correct")
                .doesNotContain("<tool_call>").doesNotContain("<think>");

        // the token view: one cell per token, classed exactly as the API's mask
        JsonPath detail = given().header("Authorization", "Bearer " + TOKEN).get("/v1/trajectories/" + id(6))
                .jsonPath();
        List<String> mask = detail.getList("token_view.mask");
        List<WebElement> cells = browser.findElements(By.cssSelector("#token-view .tok"));
        assertThat(cells).hasSize(mask.size());
        List<String> shownMask = (List<String>) ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                "return Array.from(document.querySelectorAll('#token-view .tok'), e => e.classList[1]);");
        assertThat(shownMask).isEqualTo(mask);
        assertThat(Set.copyOf(mask)).containsExactlyInAnyOrder("prompt", "model", "tool");
        screenshot("ui-trajectory.png");
        WebElement tokens = browser.findElement(By.id("token-view"));
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView()", tokens);
        screenshot("ui-tokens.png");
    }

    /** A real SFT job (tiny ModelInit model, JSONL data): its row in the jobs list and its PNG curves. */
    @Test
    void theTrainingJobsSectionShowsAJobAndItsCurves() throws IOException {
        Path model = ai.aster.trainer.support.TrainingData.model(Path.of("target/models/sft-viewer"));
        Path data = ai.aster.trainer.support.TrainingData.jsonl(Path.of("target/sft-data/viewer-" + run + ".jsonl"),
                ai.aster.trainer.support.TrainingData.conversations(2));
        String id = "viewer-" + run;
        given().header("Authorization", "Bearer " + TOKEN).contentType("application/json")
                .body(Map.of("type", "sft", "id", id, "config", Map.of("model", model.toAbsolutePath().toString(),
                        "data", Map.of("jsonl", data.toAbsolutePath().toString()), "steps", 3, "batch_size", 2,
                        "lr", 0.01)))
                .post("/v1/jobs").then().statusCode(202);
        await().atMost(LONG).until(() -> given().header("Authorization", "Bearer " + TOKEN).get("/v1/jobs/" + id)
                .jsonPath().getString("status").equals("succeeded"));
        List<String> curves = given().header("Authorization", "Bearer " + TOKEN).get("/v1/jobs/" + id).jsonPath()
                .getList("curves", String.class);
        assertThat(curves).contains("loss", "grad_norm", "lr");

        browser.get(ui + "#token=" + TOKEN);
        browser.findElement(By.id("nav-jobs")).click();
        new WebDriverWait(browser, LONG).until(ExpectedConditions.attributeToBe(By.id("jobs-table"), "data-loaded",
                "true"));
        WebElement row = browser.findElement(By.cssSelector("#jobs-table tr[data-id='" + id + "']"));
        assertThat(row.getText()).contains("sft").contains("succeeded").contains("3 / 3");
        row.click();
        new WebDriverWait(browser, LONG).until(ExpectedConditions.attributeToBe(By.id("job-detail"), "data-loaded",
                "true"));
        assertThat(browser.findElement(By.id("job-detail")).getText()).contains("Job " + id).contains("succeeded");
        List<WebElement> images = browser.findElements(By.cssSelector("#curves img"));
        assertThat(images.stream().map(i -> i.getAttribute("data-curve")).toList()).isEqualTo(curves);
        for (WebElement img : images) {
            Object width = ((org.openqa.selenium.JavascriptExecutor) browser)
                    .executeScript("return arguments[0].naturalWidth;", img);
            assertThat(((Number) width).intValue()).as("curve %s decoded as a PNG", img.getAttribute("data-curve"))
                    .isEqualTo(640);
        }
        screenshot("ui-jobs.png");
    }

    @Test
    void withoutATokenThePageAsksForOneAndAWrongOneIsSaidSo() {
        given().redirects().follow(false).get("/ui").then().statusCode(302);
        given().get("/ui/").then().statusCode(200);
        // the open viewer path is no way round the token
        given().urlEncodingEnabled(false).get("/ui/../v1/stats").then().statusCode(401);
        given().urlEncodingEnabled(false).get("/ui/%2e%2e/v1/stats").then().statusCode(401);
        given().urlEncodingEnabled(false).get("/ui/..%2fv1/stats").then().statusCode(org.hamcrest.Matchers.not(200));
        browser.get(ui.toString());
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
        browser.navigate().refresh();
        waitFor(By.id("token")).sendKeys("wrong-token");
        browser.findElement(By.cssSelector("#login-form button")).click();
        WebElement error = waitFor(By.id("error"));
        assertThat(error.getText()).contains("refused (403)");
        assertThat(browser.findElement(By.id("login")).isDisplayed()).isTrue();
    }

    private void filter(Map<String, String> values) {
        waitFor(By.id("filters"));
        browser.findElement(By.id("clear")).click();
        waitLoaded();
        for (var e : values.entrySet()) {
            WebElement field = browser.findElement(By.name(e.getKey()));
            if (field.getTagName().equals("select")) {
                new Select(field).selectByValue(e.getValue());
            } else {
                field.sendKeys(e.getValue());
            }
        }
        browser.findElement(By.id("apply")).click();
        waitLoaded();
    }

    /** Waits for the list's newest request to be rendered (the page marks the table loaded only then). */
    private void waitLoaded() {
        new WebDriverWait(browser, LONG).until(ExpectedConditions.attributeToBe(By.id("trajectories"),
                "data-loaded", "true"));
    }

    private Set<String> shownIds() {
        return browser.findElements(By.cssSelector("#trajectories tbody tr")).stream()
                .map(r -> r.getAttribute("data-id")).collect(Collectors.toSet());
    }

    private List<String> texts(By by) {
        return browser.findElements(by).stream().map(WebElement::getText).toList();
    }

    private WebElement waitFor(By by) {
        return new WebDriverWait(browser, LONG).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    private static void screenshot(String name) throws IOException {
        Path file = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(file, Path.of("target", name), StandardCopyOption.REPLACE_EXISTING);
    }
}
