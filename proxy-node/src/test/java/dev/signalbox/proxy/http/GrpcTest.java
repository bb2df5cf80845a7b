package dev.signalbox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Recognising gRPC calls, reading grpc-timeout, choosing the status of a local answer, encoding grpc-message. */
class GrpcTest {
    record Case<I, O>(String name, Function<I, O> f, I input, O expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case<?, ?>> cases() {
        return Stream.of(
                new Case<>("application/grpc is a gRPC call", Grpc::isGrpc, "application/grpc", true),
                new Case<>("application/grpc+proto is a gRPC call", Grpc::isGrpc, "application/grpc+proto", true),
                new Case<>("the media type is case-insensitive", Grpc::isGrpc, "Application/GRPC; charset=x", true),
                new Case<>("grpc-web is not gRPC over HTTP/2", Grpc::isGrpc, "application/grpc-web", false),
                new Case<>("JSON is not gRPC", Grpc::isGrpc, "application/json", false),
                new Case<>("no content-type is not gRPC", Grpc::isGrpc, null, false),
                new Case<>("milliseconds", Grpc::timeoutNanos, "250m", 250_000_000L),
                new Case<>("hours", Grpc::timeoutNanos, "2H", 7_200_000_000_000L),
                new Case<>("eight digits of nanoseconds", Grpc::timeoutNanos, "99999999n", 99_999_999L),
                new Case<>("nine digits are malformed: no deadline", Grpc::timeoutNanos, "999999999n", Grpc.NO_TIMEOUT),
                new Case<>("an unknown unit is malformed", Grpc::timeoutNanos, "10s", Grpc.NO_TIMEOUT),
                new Case<>("a sign is malformed", Grpc::timeoutNanos, "-1S", Grpc.NO_TIMEOUT),
                new Case<>("a unit alone is malformed", Grpc::timeoutNanos, "S", Grpc.NO_TIMEOUT),
                new Case<>("absent: no deadline", Grpc::timeoutNanos, null, Grpc.NO_TIMEOUT),
                new Case<>("502 bad gateway is UNAVAILABLE", Grpc::statusOf, 502, Grpc.UNAVAILABLE),
                new Case<>("503 no endpoints is UNAVAILABLE", Grpc::statusOf, 503, Grpc.UNAVAILABLE),
                new Case<>("504 is UNAVAILABLE", Grpc::statusOf, 504, Grpc.UNAVAILABLE),
                new Case<>("404 no route is UNIMPLEMENTED", Grpc::statusOf, 404, Grpc.UNIMPLEMENTED),
                new Case<>("400 is INTERNAL", Grpc::statusOf, 400, Grpc.INTERNAL),
                new Case<>("another status is UNKNOWN", Grpc::statusOf, 418, Grpc.UNKNOWN),
                new Case<>("printable ASCII stays", Grpc::encodeMessage, "no endpoints: a b", "no endpoints: a b"),
                new Case<>("percent, newline and UTF-8 are escaped", Grpc::encodeMessage, "100% \u00e9\n",
                        "100%25 %C3%A9%0A"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void decides(Case c) {
        assertEquals(List.of(c.expected()), List.of(c.f().apply(c.input())));
    }
}
