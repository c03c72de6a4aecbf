package ai.aster.trainer.curriculum;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ./aster curriculum --split train|heldout --count N --seed S [--out FILE] [--families a,b] [--levels 1,2]}:
 * writes curriculum problems as JSONL (stdout without {@code --out}). Errors are one line, exit status 2.
 */
public final class CurriculumCli {

    private CurriculumCli() {}

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.out, System.err));
    }

    /** The parsed command line. */
    record Options(Split split, int count, long seed, Path out, List<Family> families, List<Integer> levels) {

        static Options parse(List<String> args) {
            Split split = Split.TRAIN;
            int count = 100;
            long seed = 0;
            Path out = null;
            List<Family> families = List.of(Family.values());
            List<Integer> levels = List.of(1, 2, 3);
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (arg.equals("--help") || arg.equals("-h")) {
                    throw new IllegalArgumentException(USAGE);
                }
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(arg + " needs a value (" + USAGE + ")");
                }
                String value = args.get(++i);
                switch (arg) {
                    case "--split" -> split = Split.parse(value);
                    case "--count" -> count = integer(arg, value);
                    case "--seed" -> seed = longValue(arg, value);
                    case "--out" -> out = Path.of(value);
                    case "--families" -> {
                        List<Family> list = new ArrayList<>();
                        for (String name : value.split(",")) {
                            list.add(Family.parse(name.strip()));
                        }
                        families = List.copyOf(list);
                    }
                    case "--levels" -> {
                        List<Integer> list = new ArrayList<>();
                        for (String level : value.split(",")) {
                            list.add(integer(arg, level.strip()));
                        }
                        levels = List.copyOf(list);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + arg + " (" + USAGE + ")");
                }
            }
            return new Options(split, count, seed, out, families, levels);
        }
    }

    static final String USAGE = "usage: ./aster curriculum --split train|heldout --count N --seed S [--out FILE]"
            + " [--families multiply,power_mod,prime_count,digit_sum_power,gcd,choose,power_mod_divisors,"
            + "product_digit_sum] [--levels 1,2,3]";

    /** @return 0 written, 2 bad arguments, 1 the file could not be written */
    public static int run(List<String> args, PrintStream stdout, PrintStream err) {
        Options options;
        List<CurriculumProblem> problems;
        try {
            options = Options.parse(args);
            problems = Curriculum.generate(options.split(), options.count(), options.seed(), options.families(),
                    options.levels());
        } catch (IllegalArgumentException e) {
            err.println("aster curriculum: " + e.getMessage());
            return 2;
        }
        try {
            if (options.out() == null) {
                Writer w = new BufferedWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8));
                write(problems, w);
                w.flush();
            } else {
                Path parent = options.out().toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                try (Writer w = Files.newBufferedWriter(options.out(), StandardCharsets.UTF_8)) {
                    write(problems, w);
                }
                err.println("aster curriculum: " + problems.size() + " " + options.split().wireName()
                        + " problems in " + options.out());
            }
            return 0;
        } catch (IOException e) {
            err.println("aster curriculum: cannot write " + options.out() + ": " + e.getMessage());
            return 1;
        }
    }

    /** One JSON object a line. */
    public static void write(List<CurriculumProblem> problems, Writer w) throws IOException {
        ObjectMapper json = new ObjectMapper();
        for (CurriculumProblem p : problems) {
            w.write(json.writeValueAsString(p));
            w.write('\n');
        }
    }

    private static int integer(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be an integer; was '" + value + "'");
        }
    }

    private static long longValue(String option, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be an integer; was '" + value + "'");
        }
    }
}
