package dev.signalbox.e2e.chaos;

import dev.signalbox.testing.Http;
import java.net.http.HttpResponse;

/** Reads a proxy's admin port: /metrics families summed over their labels, /readyz as it comes. */
final class Scrape {
    private Scrape() {
    }

    /** The sum of every series of {@code family} (name without labels) on the admin port, 0 if absent. */
    static double metric(int adminPort, String family) {
        HttpResponse<String> r = Http.tryGet(adminPort, null, "/metrics");
        if (r == null) {
            return Double.NaN;
        }
        double sum = 0;
        for (String line : r.body().split("\n")) {
            if (line.startsWith(family + " ") || line.startsWith(family + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
