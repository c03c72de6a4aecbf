package ai.aster.model.service;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The engine's KV memory budget: {@code aster.model.kv-cache-bytes} if set, else half the memory free once the
 * weights are loaded (the other half is left to activations, the JVM and the rest of the machine): the GPU's free
 * memory on CUDA, {@code MemAvailable} of {@code /proc/meminfo} (else the OS's free memory) on the CPU.
 */
final class KvBudget {

    private KvBudget() {
    }

    static long bytes(OptionalLong configured, Device device) {
        if (configured.isPresent()) {
            if (configured.getAsLong() <= 0) {
                throw new IllegalStateException("aster.model.kv-cache-bytes must be positive, got "
                        + configured.getAsLong());
            }
            return configured.getAsLong();
        }
        return freeBytes(device) / 2;
    }

    private static long freeBytes(Device device) {
        if (device.isGpu()) {
            MemoryUsage gpu = CudaUtils.getGpuMemory(device); // committed = in use, max = total
            return gpu.getMax() - gpu.getCommitted();
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: ask the JVM
        }
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getFreeMemorySize();
    }
}
