package dev.signalbox.e2e;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.Slice;
import java.net.IDN;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.util.Set;
import java.util.Timer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/**
 * The house's layout, checked on the compiled classes of every module (this module sees them all): pure
 * packages stay pure, schemas holds formats only, the environment is read by the command line and the Mains, and the pipeline's
 * components do not depend on each other. Test classes are not checked. STYLE.md, "The layout shows the pipeline".
 */
@AnalyzeClasses(packages = "dev.signalbox", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    /** Packages that hold pure logic: the same input gives the same output, with no I/O and no clock. */
    private static final String[] PURE = {"..compile..", "..routing..", "..model..", "..status..", "..codec.."};

    private static final Set<String> COMPONENTS = Set.of("watcher", "compiler", "proxy");

    private static final DescribedPredicate<JavaClass> THREADS = assignableTo(Thread.class)
            .or(assignableTo(Executor.class)).or(type(Executors.class)).or(assignableTo(ThreadFactory.class))
            .or(assignableTo(Timer.class)).or(assignableTo(CompletableFuture.class))
            .as("are threads or executors");

    /** java.net minus the classes that only parse or encode text. */
    private static final DescribedPredicate<JavaClass> SOCKETS = resideInAnyPackage("java.net..", "java.nio.channels..",
            "javax.net..")
            .and(DescribedPredicate.not(type(URI.class).or(type(URISyntaxException.class)).or(type(URLEncoder.class))
                    .or(type(URLDecoder.class)).or(type(IDN.class))))
            .as("are sockets, addresses or channels");

    private static final DescribedPredicate<JavaMethodCall> READS_ENVIRONMENT = DescribedPredicate.describe(
            "the target is System.getenv, System.getProperty or System.getProperties",
            call -> call.getTarget().getOwner().isEquivalentTo(System.class)
                    && Set.of("getenv", "getProperty", "getProperties").contains(call.getTarget().getName()));

    /** now() without arguments on any java.time type, Clock.system*(), and System's wall and monotonic clocks. */
    private static final DescribedPredicate<JavaMethodCall> READS_CLOCK = DescribedPredicate.describe(
            "the target reads the clock (java.time's now(), Clock.system*(), System.currentTimeMillis or nanoTime)",
            call -> {
                String owner = call.getTarget().getOwner().getName();
                String name = call.getTarget().getName();
                boolean noArguments = call.getTarget().getRawParameterTypes().isEmpty();
                return owner.startsWith("java.time.") && (name.equals("now") && noArguments
                        || owner.equals("java.time.Clock") && name.startsWith("system"))
                        || owner.equals("java.lang.System") && (name.equals("currentTimeMillis") || name.equals("nanoTime"));
            });

    @ArchTest
    static final ArchRule pure_packages_use_neither_netty_nor_fabric8_nor_kafka = noClasses()
            .that().resideInAnyPackage(PURE)
            .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "io.fabric8..", "org.apache.kafka..")
            .because("pure packages are tested as functions; the libraries that do I/O belong to the adapters");

    @ArchTest
    static final ArchRule pure_packages_start_no_threads_and_open_no_sockets = noClasses()
            .that().resideInAnyPackage(PURE)
            .should().dependOnClassesThat(THREADS)
            .orShould().dependOnClassesThat(SOCKETS)
            .because("threads and sockets belong to the adapters (...kafka, ...netty, ...k8s) and the Mains");

    @ArchTest
    static final ArchRule pure_packages_read_neither_environment_nor_clock = noClasses()
            .that().resideInAnyPackage(PURE)
            .should().callMethodWhere(READS_ENVIRONMENT)
            .orShould().callMethodWhere(READS_CLOCK)
            .because("configuration is read once in a Main and passed in; time is passed in (an Instant or a Clock)");

    @ArchTest
    static final ArchRule pipeline_components_do_not_depend_on_each_other = slices()
            .matching("dev.signalbox.(*)..")
            .that(DescribedPredicate.describe("are the watcher, the compiler or the proxy",
                    (Slice s) -> COMPONENTS.contains(s.getNamePart(1))))
            .should().notDependOnEachOther()
            .because("they share only the formats in schemas and the snapshot log; the launcher assembles them");

    @ArchTest
    static final ArchRule shared_modules_depend_on_no_component = noClasses()
            .that().resideInAnyPackage("dev.signalbox.schemas..", "dev.signalbox.snapshotlog..", "dev.signalbox.routing..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.signalbox.watcher..", "dev.signalbox.compiler..",
                    "dev.signalbox.proxy..", "dev.signalbox.launcher..")
            .because("every component shares schemas, and the compiler, the proxies and the watcher the snapshot log; "
                    + "the proxy and the audit commands share the routing core");

    @ArchTest
    static final ArchRule schemas_holds_formats_and_pure_codecs_only = noClasses()
            .that().resideInAPackage("dev.signalbox.schemas..")
            .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "io.fabric8..", "org.apache.kafka..")
            .orShould().dependOnClassesThat(THREADS)
            .orShould().dependOnClassesThat(SOCKETS)
            .orShould().callMethodWhere(READS_ENVIRONMENT)
            .orShould().callMethodWhere(READS_CLOCK)
            .because("schemas is what every module shares: records, schema files and codecs; Kafka's side of the "
                    + "snapshots topic is in snapshot-log");

    @ArchTest
    static final ArchRule only_the_command_line_and_the_mains_read_the_environment = noClasses()
            .that().haveSimpleNameNotEndingWith("Main").and().resideOutsideOfPackage("dev.signalbox.launcher..")
            .should().callMethodWhere(DescribedPredicate.describe("the target is System.getenv",
                    (JavaMethodCall call) -> call.getTarget().getOwner().isEquivalentTo(System.class)
                            && call.getTarget().getName().equals("getenv")))
            .because("configuration is read once, by bin/ingress's commands (launcher) or a component's Main, and passed on");
}
