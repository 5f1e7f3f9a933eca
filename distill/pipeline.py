"""`distill run RECIPE.yaml`: the whole method in one command, resumable stage by stage.

    distill run recipes/demo.yaml

Stages, in order: prepare data; the teacher writes chains of thought for the first N training
questions (`hint` mode: the gold answer given); the CoTs are filtered into an ft_cot training set and
its answer-only ft_direct twin over the same questions (plus the same pair from gold rationales where
asked); both students are trained and evaluated zero-shot; the teacher and the untrained student are
evaluated few-shot. Every evaluation is filed under results/.

A stage whose output is complete is skipped and a partial one resumes: generation appends only the
missing CoTs, training restarts from its last checkpoint, and each (model, format, benchmark)
evaluation is done once for a given test size. A second run of a finished recipe only checks, and
`distill run RECIPE.yaml --plan` lists what is left without doing any of it (it only prepares the benchmark
data it counts, as a run does first).

Recipe settings (YAML; see recipes/*.yaml): name, benchmarks (distilled), evaluate_only (teacher and
untrained student only), gold (also students on gold rationales), teacher, student, teacher_backend
(auto: the fastest engine here; llama.cpp: serve the teacher's GGUF on 127.0.0.1; openai with base_url; hf;
vllm), format (cot: the teacher writes chains of thought; pot: programs, for ft_pot students, and the teacher
and untrained student are also evaluated few-shot on programs), base_backend (the engine of the untrained and
the trained students: one engine for the whole comparison), student_weights (the GGUF type both are served
at by llama.cpp, default f32: the numbers of their transformers weights), mode (hint, fewshot, zeroshot),
train_questions, train_split (default: each benchmark's own; the symbolic tasks also have train_mixed, 1-3
words or flips), samples, temperature, max_new_tokens, test_questions (first N of each test split),
eval_batch_size, train (`distill train` settings such as num_train_epochs), seeds (training seeds: one student
and twin per seed), work_dir (default artifacts/runs/<name>), teacher_dir (default <work_dir>/teacher),
results_dir (default results), sweep.

A sweep names one setting (train_questions, mode, samples, student or train_split) and its values,
`sweep: {train_questions: [125, 250, 500, 1000]}`: the recipe runs once per value, in
<work_dir>/<setting>-<value>, its students named with `-<setting>-<value>` and their entries carrying
`sweep: {name, axis, value}` for the board's trade-offs page. The teacher's files are shared: smaller
training sets are the first questions of one file, and fewer CoTs per question the first samples of one:
sampled CoTs are written round by round (every question's first, then every question's second, ...), so the
point of K trains as soon as K rounds are written. A student that another recipe has trained already on the same
training file, format and seed with the same student settings (as its entry records them; for an older entry,
as its recipe file says now), and tested
at the same size, is not trained again: its entry is copied under this recipe's name (`same_student_as`),
as for a sweep's point at the main recipe's value (all the questions, the usual student, one-length data).
With several seeds, a run goes seed by seed: every point's students of the first seed (the teacher's CoTs and
the few-shot evaluations with them), then every point's of the second, and so on.
"""

import json
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import yaml

from distill import data, engines, export, locks, results
from distill import filter as filtering
from distill.benchmarks import FEWSHOT_FORMATS, get_benchmark, parse_benchmarks
from distill.errors import DistillError
from distill.generate import GenerateConfig, check_teacher_format, generate, missing, summary_line
from distill.jsonio import atomic_write_text, file_sha256, read_jsonl
from distill.paths import slug
from distill.prompts import MAX_GEN_TOKS
from distill.train import SUMMARY_FILE, checkpoint_progress, group_name, trained_on
from distill.train_settings import DEFAULT_SEED, seeded

STUDENT_ENGINES = tuple(e for e in engines.ENGINES if e != "openai")  # students are served here, not elsewhere
SWEEP_AXES = ("train_questions", "mode", "samples", "student", "train_split")  # the trade-offs a recipe can sweep
RUN_LOG = "run.json"  # in a recipe's work folder: each invocation's stages and how long they ran


@dataclass
class Recipe:
    name: str
    benchmarks: list[str]  # distilled: teacher CoTs for their train split, students trained and evaluated
    evaluate_only: list[str] = field(default_factory=list)  # teacher and untrained student evaluated, no students
    gold: list[str] = field(default_factory=list)  # also students trained on these benchmarks' gold rationales
    teacher: str = "qwen2.5-coder-1.5b-instruct"
    student: str = "smollm2-135m-instruct"
    teacher_backend: str = "auto"
    base_url: str | None = None  # teacher_backend openai: a server already running
    base_backend: str = "auto"  # the students' engine, untrained and trained alike
    student_weights: str = export.DEFAULT_TYPE  # llama.cpp: the students' GGUF type, converted from their weights
    mode: str = "hint"
    format: str = "cot"  # what the teacher writes: chains of thought, or programs (program of thought)
    train_questions: int | None = None  # first N training questions per benchmark (None: all)
    train_split: str | None = None  # the training split (None: each benchmark's own; symbolic: also train_mixed)
    samples: int = 1
    temperature: float = 0.0
    max_new_tokens: int = MAX_GEN_TOKS["cot"]
    test_questions: int | None = None  # first N questions of each test split (None: all)
    eval_batch_size: int = 8
    train: dict = field(default_factory=dict)  # `distill train` settings, e.g. num_train_epochs
    seeds: list[int] = field(default_factory=lambda: [DEFAULT_SEED])  # one student and twin per training seed
    work_dir: str | None = None  # default artifacts/runs/<name>
    teacher_dir: str | None = None  # the teacher's CoT files; default <work_dir>/teacher (teacher_cots/ publishes them)
    results_dir: str = str(results.DEFAULT_DIR)
    sweep: dict = field(default_factory=dict)  # {setting: [values]}: one run per value (SWEEP_AXES)

    def __post_init__(self):
        parse_benchmarks(",".join([*self.benchmarks, *self.evaluate_only, *self.gold]))  # unknown keys fail here
        if missing := sorted(set(self.gold) - set(self.benchmarks)):
            raise DistillError(f"gold: {', '.join(missing)} must also be listed under benchmarks")
        for key, value, allowed in (("teacher_backend", self.teacher_backend, engines.ENGINES),
                                    ("base_backend", self.base_backend, STUDENT_ENGINES),
                                    ("student_weights", self.student_weights, export.TYPES)):
            if value not in allowed:
                raise DistillError(f"{key} '{value}' is not one of {', '.join(allowed)}")
        if "seed" in self.train:
            raise DistillError("train: seed is set by `seeds:`, a list of training seeds (one student per seed)")
        if not (isinstance(self.seeds, list) and self.seeds and all(type(s) is int for s in self.seeds)
                and len(set(self.seeds)) == len(self.seeds)):
            raise DistillError(f"seeds: a list of different whole numbers, one student per seed, not {self.seeds!r}")
        for b in self.benchmarks:
            check_teacher_format(self.format, b)
            try:
                self.split_of(b)
            except DistillError as e:
                raise DistillError(f"benchmarks: {e} (list it under evaluate_only)" if self.train_split is None
                                  else f"train_split: {e}") from None
        _check_sweep(self.sweep)
        if "samples" in self.sweep and self.temperature == 0:
            raise DistillError("sweep: samples needs a temperature above 0, or every sample is the same CoT")
        if self.teacher_backend == "openai" and not self.base_url:
            raise DistillError("teacher_backend openai needs base_url, the running server's address")
        self.work = Path(self.work_dir or f"artifacts/runs/{self.name}")
        self.teachers = Path(self.teacher_dir) if self.teacher_dir else self.work / "teacher"

    @property
    def all_benchmarks(self) -> list[str]:
        return [*self.benchmarks, *(b for b in self.evaluate_only if b not in self.benchmarks)]

    def split_of(self, benchmark: str) -> str:
        """The training split the teacher explains and the students learn from."""
        return get_benchmark(benchmark).training_split(self.train_split)

    def fewshot_evaluations(self) -> list[tuple[str, str]]:
        """(format, benchmark) of the teacher's and the untrained student's few-shot evaluations: CoT and
        answers, and programs too where the teacher writes programs."""
        formats = (*FEWSHOT_FORMATS, *(("fewshot_pot",) if self.format == "pot" else ()))
        return [(fmt, b) for fmt in formats for b in self.all_benchmarks if fmt in get_benchmark(b).formats]


def _check_sweep(sweep: dict) -> None:
    if not sweep:
        return
    if not isinstance(sweep, dict) or len(sweep) != 1:
        raise DistillError("sweep: name one setting and its values, e.g. {train_questions: [125, 250, 500]}")
    ((axis, values),) = sweep.items()
    if axis not in SWEEP_AXES:
        raise DistillError(f"sweep: '{axis}' cannot be swept; choose from {', '.join(SWEEP_AXES)}")
    if not isinstance(values, list) or len(values) < 2 or len(set(map(str, values))) < len(values):
        raise DistillError(f"sweep: {axis} needs a list of at least two different values, not {values!r}")


@dataclass
class Point:
    """One value of a sweep: its recipe, and what its students' entries record about it."""
    recipe: Recipe
    sweep: dict | None = None  # {"name", "axis", "value"}; None for a recipe that is not a sweep

    @property
    def suffix(self) -> str:
        """Part of the students' names, so the points of a sweep do not share one entry."""
        return f"-{self.sweep['axis']}-{self.sweep['value']}" if self.sweep else ""


@dataclass
class StudentJob:
    """One student a run trains (or has trained): its name, training file and seed, and what is left to do."""
    name: str
    group: str  # the name without the seed: the entries of one group differ only in the seed
    fmt: str
    seed: int
    benchmark: str
    train_file: Path
    digest: str  # the training file's sha256
    twin: str | None  # a CoT or PoT student's answer-only twin
    done: bool
    same_as: str | None  # another recipe's student trained exactly so, whose entry is copied


def points(recipe: Recipe) -> list[Point]:
    """The recipe itself, or one recipe per value of its sweep."""
    if not recipe.sweep:
        return [Point(recipe)]
    ((axis, values),) = recipe.sweep.items()
    # Every point reads and writes the recipe's teacher files (replace() would give each its own default).
    return [Point(replace(recipe, **{axis: value}, sweep={}, name=f"{recipe.name}-{axis}-{value}",
                          work_dir=str(recipe.work / f"{axis}-{value}"), teacher_dir=str(recipe.teachers)),
                  {"name": recipe.name, "axis": axis, "value": value}) for value in values]


def rounds(recipe: Recipe) -> list[Point]:
    """The points of the recipe, seed by seed: each point with its first seed only, then each with its second,
    and so on. A sweep runs for days; this way its whole curve lands on the board with one seed first, and the
    later seeds tighten it, rather than one point at a time with all its seeds."""
    return [replace(p, recipe=replace(p.recipe, seeds=[seed])) for seed in recipe.seeds for p in points(recipe)]


def load_recipe(path: Path) -> Recipe:
    try:
        raw = yaml.safe_load(Path(path).read_text())
    except FileNotFoundError:
        raise DistillError(f"no recipe file at {path}") from None
    except yaml.YAMLError as e:
        raise DistillError(f"{path} is not valid YAML: {e}") from None
    if not isinstance(raw, dict):
        raise DistillError(f"{path} must hold a mapping of recipe settings")
    known = {f.name for f in fields(Recipe)}
    if unknown := sorted(set(raw) - known):
        raise DistillError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    if missing := sorted({"name", "benchmarks"} - set(raw)):
        raise DistillError(f"{path}: missing {', '.join(missing)}")
    return Recipe(**raw)


# --- what is already done -------------------------------------------------------------------------------

# With the training file and the seed, all a student's entry depends on: a student of another recipe that
# shares them is the model this one would be.
STUDENT_SETTINGS = ("student", "train", "base_backend", "student_weights", "test_questions")


def _student_settings(recipe: Recipe) -> dict:
    return {s: getattr(recipe, s) for s in STUDENT_SETTINGS}


def _settings_behind(meta: dict) -> dict | None:
    """The STUDENT_SETTINGS an entry's student was trained and tested with: as its entry records them, or for an
    entry from before they were recorded, as the recipe (or sweep point) of its training command, `distill run
    RECIPE`, says now; None when that is not a recipe file here."""
    if isinstance(meta.get("student_settings"), dict):
        return meta["student_settings"]
    recipe = results.recipe_of(results.as_object(meta.get("training")).get("command"))
    if recipe is None:
        return None
    try:
        candidates = points(load_recipe(recipe))
    except DistillError:
        return None
    return next((_student_settings(p.recipe) for p in candidates if p.sweep == meta.get("sweep")), None)


# --- the run ----------------------------------------------------------------------------------------------

class Run:
    def __init__(self, recipe: Recipe, recipe_path: Path, point: Point | None = None):
        self.r = recipe
        self.point = point or Point(recipe)
        self.command = results.recipe_command(recipe_path)
        self.results = Path(recipe.results_dir)
        self.log: list[dict] = []

    def stage(self, title: str, todo: bool):
        """Announce a stage; returns whether it has work to do."""
        print(f"\n== {title}: {'running' if todo else 'done already, skipped'}", flush=True)
        self.log.append({"stage": title, "ran": todo, "start": time.time()})
        return todo

    # teacher -----------------------------------------------------------------------------------------
    def teacher_file(self, benchmark: str) -> Path:
        """<teacher_dir>/<teacher>/<benchmark>[.<other train split>].<mode>[.pot][.t<temperature>].jsonl.gz:
        compressed, as published. Named for the sampling temperature, not the CoTs per question: the file holds
        the rounds written so far, and a run that wants more adds rounds to it."""
        tag = f"t{self.r.temperature:g}" if self.r.temperature > 0 else ""
        split = self.r.split_of(benchmark)
        name = ".".join(filter(None, (benchmark, get_benchmark(benchmark).split_tag(split),
                                      self.r.mode, self.r.format if self.r.format != "cot" else "", tag, "jsonl.gz")))
        return self.r.teachers / slug(self.r.teacher) / name

    def _questions(self, benchmark: str) -> list[dict]:
        return data.load_split(benchmark, self.r.split_of(benchmark))[: self.r.train_questions]

    def _wanted(self, benchmark: str) -> int:
        return len(self._questions(benchmark)) * self.r.samples

    def missing_cots(self) -> dict[str, int]:
        """How many CoTs this point's students need that the teacher has still to write, per benchmark: a
        samples sweep's point of K waits for the first K rounds of its file only."""
        left = {b: missing(self.teacher_file(b), self._questions(b), self.r.samples) for b in self.r.benchmarks}
        return {b: n for b, n in left.items() if n > 0}

    def teacher(self) -> None:
        gen = list(self.missing_cots())
        for b in self.r.benchmarks:
            if b not in gen:
                self._note_other_sampling(b)
        if not self.stage(f"teacher {self.r.teacher}: chains of thought", bool(gen)):
            return
        with engines.serving(self.r.teacher, self.r.teacher_backend, base_url=self.r.base_url,
                             log=self.r.work / "teacher-server.log") as engine:
            for b in gen:
                cfg = self._generate_config(b, engine)
                print(summary_line(generate(cfg), cfg.out), flush=True)

    def _generate_config(self, benchmark: str, engine: engines.Engine | None = None) -> GenerateConfig:
        return GenerateConfig(teacher=self.r.teacher, benchmark=benchmark, out=self.teacher_file(benchmark),
                              served=engine, mode=self.r.mode, format=self.r.format, samples=self.r.samples,
                              split=self.r.split_of(benchmark), temperature=self.r.temperature,
                              max_new_tokens=self.r.max_new_tokens, limit=self.r.train_questions)

    def _note_other_sampling(self, benchmark: str) -> None:
        """A finished teacher file (another recipe's, say) is used as it was written; where it was sampled
        otherwise than this recipe says (a larger token budget), the run says so instead of hiding it."""
        cfg = self._generate_config(benchmark)
        if not cfg.out.exists():  # no questions asked of it
            return
        first = next(iter(read_jsonl(cfg.out, torn_end_ok=True)), {})
        have, want = first.get("sampling") or {}, cfg.sampling_dict()
        if other := [f"{k} {have.get(k)!r} (this recipe: {v!r})" for k, v in want.items() if have.get(k) != v]:
            print(f"note: {cfg.out} was written with {', '.join(other)}; its CoTs are used as written", flush=True)

    # training sets -----------------------------------------------------------------------------------
    def training_sets(self) -> dict[str, dict]:
        self.stage("filter: training sets for the CoT students and their answer-only twins", True)
        report = self._filter(self.r.work / "train", self.r.benchmarks)
        for name, r in report.items():
            print(f"{name}: {filtering.kept_text(r)}", flush=True)
        return report

    def _filter(self, out: Path, benchmarks: list[str]) -> dict[str, dict]:
        """Filtering is cheap and deterministic, so it is always redone from the teacher files."""
        out.mkdir(parents=True, exist_ok=True)
        # Every distinct correct chain among a question's K samples is kept (K = 8 is not cut to `distill
        # filter`'s default cap of 4).
        report = filtering.filter_teacher([self.teacher_file(b) for b in benchmarks], out,
                                          cap=self.r.samples, questions=self.r.train_questions,
                                          samples=self.r.samples)
        if self.r.gold:
            report |= filtering.gold_sets(self.r.gold, out, self.r.train_questions, self.r.train_split)
        filtering.write_report(out, report)
        return report

    # students ----------------------------------------------------------------------------------------
    def student_jobs(self, report: dict[str, dict]) -> Iterator[StudentJob]:
        """Every student the filter report asks for (each training set, each seed: the CoT or PoT student first,
        then its answer-only twin), and whether it is done, to be copied, or to be trained."""
        for r, seed in ((r, seed) for r in report.values() for seed in self.r.seeds):
            groups = {fmt: group_name(self.r.student, r["benchmark"], r["source"] + self.point.suffix, fmt)
                      for fmt in (r["format"], "ft_direct")}
            for fmt, group in groups.items():
                name, train_file = seeded(group, seed), Path(r[f"{fmt}_file"])
                digest = file_sha256(train_file)
                # The entry's own record of its training file decides: a later session or machine has results/
                # but not the student's weights, and should not train it again; the student's directory only
                # speaks for an entry that records none.
                learned_from = results.trained_on(self.results, name, fmt) or trained_on(self.student_dir(name))
                done = learned_from == digest \
                    and results.has_run(self.results, name, fmt, r["benchmark"], self.r.test_questions)
                yield StudentJob(name, group, fmt, seed, r["benchmark"], train_file, digest,
                                 twin=seeded(groups["ft_direct"], seed) if fmt != "ft_direct" else None, done=done,
                                 same_as=None if done else self._trained_elsewhere(fmt, digest, seed, r["benchmark"]))

    def student_dir(self, name: str) -> Path:
        return self.r.work / "students" / name

    def _trained_on_another_version(self, job: StudentJob) -> bool:
        """Whether the student's directory holds a run, finished or not, on another version of its file (`distill
        train` refuses it too; this says so before a run starts, and in --plan)."""
        return trained_on(self.student_dir(job.name)) not in (None, job.digest)

    def students(self, report: dict[str, dict]) -> None:
        for job in self.student_jobs(report):
            if job.same_as:
                self.stage(f"student {job.name}: trained and evaluated already as {job.same_as}, whose entry it "
                           "copies", True)
                results.remove_entry(self.results, job.name, job.fmt)  # an earlier student of this name, now stale
                results.copy_entry(self.results, job.same_as, job.fmt, {
                    "model": job.name, "seed_group": job.group, "recipe": self.r.name, "same_student_as": job.same_as,
                    "answer_only_twin": job.twin, "sweep": self.point.sweep})
            elif self.stage(f"student {job.name}: train on {job.train_file} and evaluate", not job.done):
                self._train_and_evaluate(job)

    def _trained_elsewhere(self, fmt: str, digest: str, seed: int, benchmark: str) -> str | None:
        """The name of another recipe's student trained as this one would be (the same training file, format,
        seed and STUDENT_SETTINGS) and tested on this benchmark at this size, if there is one. A sweep's point
        often repeats a main recipe (all the training questions, the usual student), and copying that
        student's entry saves training it again."""
        mine = _student_settings(self.r)
        for entry in results.entries(self.results):
            try:
                meta = results.read_metadata(entry)
            except results.Rejected:
                continue
            digest_behind = results.as_object(meta.get("data")).get("sha256")
            if (meta["role"], meta["format"], meta.get("seed"), digest_behind) == ("student", fmt, seed, digest) \
                    and not meta.get("same_student_as") and _settings_behind(meta) == mine \
                    and results.has_run(self.results, meta["model"], fmt, benchmark, self.r.test_questions):
                return meta["model"]
        return None

    def _train_and_evaluate(self, job: StudentJob) -> None:
        from distill import train as training
        from distill.train_config import TrainConfig, yaml_settings

        out, fmt = self.student_dir(job.name), job.fmt
        if self._trained_on_another_version(job):
            raise DistillError(f"{out} was trained on another version of {job.train_file} (the teacher data grew or "
                               "changed, or the filter did): remove that directory to train it again")
        trained_before = (out / SUMMARY_FILE).exists()
        try:
            cfg = TrainConfig(student=self.r.student, data=str(job.train_file), format=fmt, output_dir=str(out),
                              name=job.group, seed=job.seed, results_dir=str(self.results),
                              eval_limit=self.r.test_questions, per_device_eval_batch_size=self.r.eval_batch_size,
                              **yaml_settings(self.r.train, f"recipe {self.r.name}: train"))
        except TypeError as e:
            raise DistillError(f"recipe {self.r.name}: bad train setting ({e}); see `distill train --help`") from None
        training.train(cfg, command=self.command)
        summary = json.loads((out / SUMMARY_FILE).read_text())
        extra = {**({"answer_only_twin": job.twin} if job.twin else {}),
                 **({"sweep": self.point.sweep} if self.point.sweep else {})}
        name = training.student_name(cfg, summary)
        # A student trained again has a stale entry: found now, or by an earlier run that was killed before it
        # could replace it (the entry records another training file).
        stale = not trained_before or results.trained_on(self.results, name, fmt) not in (None, job.digest)
        if stale and results.remove_entry(self.results, name, fmt):
            print(f"{name} was trained again: its earlier entry is replaced", flush=True)
        if not results.has_run(self.results, name, fmt, job.benchmark, self.r.test_questions):
            from distill.evaluate import evaluate

            eval_cfg = training.eval_config(cfg, summary, self.command, benchmarks=job.benchmark,
                                            backend=self.r.base_backend, weights=self.r.student_weights)
            eval_cfg.extra |= {**extra, "recipe": self.r.name, "student_settings": _student_settings(self.r)}
            print(f"results filed under {evaluate(eval_cfg)}", flush=True)

    # few-shot evaluations ----------------------------------------------------------------------------
    def fewshot_model(self, role: str) -> tuple[str, str]:
        """The model a role's few-shot evaluations are of, and what the run calls it."""
        return (self.r.teacher, "teacher") if role == "teacher" else (self.r.student, "untrained student")

    def missing_fewshot(self, role: str) -> list[tuple[str, str, str]]:
        """(format, benchmark, test split) of the teacher's ("teacher") or the untrained student's ("baseline")
        few-shot evaluations not filed yet. One split at a time, so a long evaluation lands (and can be
        committed) in pieces rather than all or nothing."""
        model, _ = self.fewshot_model(role)
        return [(fmt, b, split) for fmt, b in self.r.fewshot_evaluations() for split in get_benchmark(b).test_splits
                if not results.has_run(self.results, model, fmt, b, self.r.test_questions, split)]

    def fewshot(self, role: str) -> None:
        """The few-shot evaluations not filed yet, on one server."""
        (model, title), evals = self.fewshot_model(role), self.missing_fewshot(role)
        serving = {"engine": self.r.teacher_backend, "base_url": self.r.base_url} if role == "teacher" else \
            {"engine": self.r.base_backend, "weights": self.r.student_weights}
        if not self.stage(f"{title} {model}: few-shot evaluation", bool(evals)):
            return
        with engines.serving(model, **serving, log=self.r.work / f"{role}-server.log") as engine:
            for fmt, b, split in evals:
                self._evaluate(model, fmt, b, engine, role, split)

    # what is left ------------------------------------------------------------------------------------
    def plan(self) -> list[str]:
        """What a run would do now, stage by stage, doing none of it (the filter writes to a scratch folder)."""
        missing = self.missing_cots()
        lines = [f"teacher {self.r.teacher}: {n:,} of {self._wanted(b):,} {b} CoTs to write"
                 for b, n in missing.items()]
        with tempfile.TemporaryDirectory() as scratch:
            jobs = list(self.student_jobs(self._filter(Path(scratch), [b for b in self.r.benchmarks
                                                                        if b not in missing])))
        for b in missing:
            lines.append(f"students on {b}: {2 * len(self.r.seeds)} (CoT and answer-only twin, "
                         f"{len(self.r.seeds)} seed(s)) to train once the teacher's CoTs are written")
        lines += [f"student {j.name}: copy the entry of {j.same_as}" for j in jobs if j.same_as]
        for j in (j for j in jobs if not j.done and not j.same_as):
            lines.append(f"student {j.name}: " + (
                f"its folder was trained on another version of {j.train_file.name}: remove "
                f"{self.student_dir(j.name)} to train it again" if self._trained_on_another_version(j)
                else f"train on {j.train_file.name}{self._resumes(j)} and evaluate"))
        for role in ("teacher", "baseline"):
            model, title = self.fewshot_model(role)
            lines += [f"{title} {model}: evaluate {fmt} on {b} {split}" for fmt, b, split in self.missing_fewshot(role)]
        return lines

    def _resumes(self, job: StudentJob) -> str:
        """For the plan: where an interrupted training of `job` picks up."""
        progress = checkpoint_progress(self.student_dir(job.name))
        return f" (resuming at step {progress[0]:,} of {progress[1]:,})" if progress else ""

    def _evaluate(self, model: str, fmt: str, benchmark: str, engine: engines.Engine, role: str,
                  split: str) -> None:
        from distill.evaluate import CACHE_DIR, EvalConfig, evaluate

        entry = evaluate(EvalConfig(
            model=model, format=fmt, benchmarks=benchmark, splits=split, served=engine, served_model=model,
            limit=self.r.test_questions, role=role, batch_size=self.r.eval_batch_size,
            results_dir=self.results, command=self.command, cache_dir=self.r.work / CACHE_DIR / slug(model),
            extra={"recipe": self.r.name}))
        print(f"{model} {fmt} {benchmark} {split}: filed under {entry}", flush=True)

    def write_log(self) -> Path:
        now = time.time()
        for i, s in enumerate(self.log):
            s["seconds"] = round((self.log[i + 1]["start"] if i + 1 < len(self.log) else now) - s["start"], 1)
        path = self.r.work / RUN_LOG
        # A recipe at full scale takes several sessions: earlier invocations are kept, and the time each
        # stage really ran is summed over all of them (the recipe's compute budget).
        earlier = []
        if path.exists():
            previous = json.loads(path.read_text())
            earlier = [*previous.get("earlier", []), {"command": previous.get("command"), "stages": previous["stages"]}]
        spent: dict[str, float] = {}
        for s in (s for run in [*earlier, {"stages": self.log}] for s in run["stages"] if s["ran"]):
            spent[s["stage"]] = round(spent.get(s["stage"], 0.0) + s["seconds"], 1)
        atomic_write_text(path, json.dumps({"recipe": asdict(self.r), "command": self.command, "stages": self.log,
                                            "seconds_by_stage": spent, "earlier": earlier},
                                           indent=2, default=str) + "\n")
        return path


def run(recipe_path: Path) -> None:
    """Run every stage of the recipe (each point of a sweep in turn, seed by seed: rounds()) that is not done
    yet; each point writes its stage log."""
    for point in rounds(load_recipe(recipe_path)):
        run_point(point, recipe_path)


def _prepare_data(recipe: Recipe) -> None:
    for b in recipe.all_benchmarks:
        data.prepare(b)


def plan(recipe_path: Path) -> list[str]:
    """What `distill run` would do now, point by point: the lines `distill run --plan` prints."""
    lines = []
    for point in points(load_recipe(recipe_path)):
        _prepare_data(point.recipe)
        todo = Run(point.recipe, recipe_path, point).plan()
        lines += [f"{point.recipe.name}: {'to do' if todo else 'nothing left to do'}", *(f"  {line}" for line in todo)]
    return lines


def run_point(point: Point, recipe_path: Path) -> None:
    recipe = point.recipe
    run_ = Run(recipe, recipe_path, point)
    start = time.time()
    with locks.hold(recipe.work, f"distill run {recipe_path}"):
        try:
            run_.stage("data: prepare benchmarks", True)
            _prepare_data(recipe)
            run_.teacher()
            report = run_.training_sets()
            run_.students(report)
            # Last: they train nothing, and the students (hours of a full-scale run) land a session sooner.
            run_.fewshot("teacher")
            run_.fewshot("baseline")
        finally:
            log = run_.write_log()
    seeds = ", ".join(map(str, recipe.seeds))
    print(f"\nrecipe {recipe.name}, seed {seeds}: finished in {time.time() - start:.0f} s; results in "
          f"{recipe.results_dir}/, stage log {log}", flush=True)
