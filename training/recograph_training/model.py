"""The neighbourhood-attention GAT of docs/model.md and its ONNX serving graph."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

# The score bias that excludes an item (`score_bias` of the serving graph): it sinks below every real score.
EXCLUDED_SCORE_BIAS = -1e9
_MASKED_LOGIT = -1e9
_EPS = 1e-12
SIMILARITIES = ("dot", "cosine")


def masked_softmax(logits: Tensor, mask: Tensor, dim: int = -1) -> Tensor:
    """Softmax over the slots where ``mask > 0``; a row with no real slot yields zeros, not NaN.

    Args:
        logits: any shape.
        mask: broadcastable to ``logits``; 1 for real slots, 0 for padding.
        dim: the axis to normalise over.
    """
    real = (mask > 0).to(logits.dtype)
    # Arithmetic masking, not masked_fill: onnxruntime's broadcasting Where is several times slower
    # than Mul/Add. Real slots keep their logits exactly (+0); padding sinks to about -1e9.
    filled = logits + (real - 1.0) * -_MASKED_LOGIT
    # Shift by the max over real slots; an all-padding row is shifted to 0 and then zeroed.
    weights = (filled - filled.amax(dim, keepdim=True)).exp() * real
    return weights / (weights.sum(dim, keepdim=True) + _EPS)


class NeighbourhoodGAT(nn.Module):
    r"""Two-layer attention over a user's sampled 2-hop neighbourhood, scored against the catalogue.

    Layer 1 (item ← co-users): :math:`\beta_{jv} = \mathrm{softmax}_v(\langle E_j, P_v\rangle/\sqrt{d_h})`,
    :math:`z_j = E_j + \sum_v \beta_{jv} P_v`. Layer 2 (user ← items): :math:`c_u` = masked mean of
    :math:`z_j`, :math:`\alpha_j = \mathrm{softmax}_j((\langle c_u, z_j\rangle/\sqrt{d_h} + b\log w_{uj})/\tau_a)`,
    :math:`h_u = \sum_j \alpha_j z_j`. Score :math:`s(u,i) = \langle h_u, Q_i\rangle`. Every product is
    per head (a head owns ``head_dim`` consecutive dims); there are no transforms or non-linearities.
    With ``similarity="cosine"`` candidate rows are unit length, the served score is
    :math:`\langle h_u, \hat Q_i\rangle` and the training loss sees the cosine (that score divided by
    :math:`\lVert h_u\rVert`, see :meth:`loss_scale`); both rank a user's items alike.

    Args:
        num_items (int): catalogue size ``N`` (tables ``E`` and ``Q``).
        num_users (int): users with a context embedding ``U`` (table ``P``).
        dim (int, optional): embedding size ``d = heads × head_dim``. (default: ``64``)
        heads (int, optional): attention heads ``H``. (default: ``2``)
        init_std (float, optional): standard deviation of the normal initialisation.
            (default: ``0.1``)
        similarity (str, optional): ``"dot"`` or ``"cosine"`` scoring. (default: ``"dot"``)
        tie_candidates (bool, optional): score candidates against the item table ``E`` itself
            (``Q = E``) instead of a table of their own: every item row then learns from both
            roles. (default: ``False``)
        attention_temperature (float, optional): layer 2's logits are divided by it; below 1 the
            attention over a user's items is sharper, and so are the explanations. Trained and
            served alike (a constant of the exported graph). (default: ``1.0``)

    Shapes:
        - **item_context**: items ``[R]``, users ``[R, F2]``, mask ``[R, F2]`` →
          z ``[R, H, head_dim]``, β ``[R, H, F2]``, co-user embeddings ``[R, F2, H, head_dim]``
        - **aggregate**: z ``[B, F1, H, head_dim]``, weight ``[B, F1]``, mask ``[B, F1]`` →
          h ``[B, d]``, α ``[B, H, F1]``
        - **forward**: see :meth:`forward`.
    """

    def __init__(self, num_items: int, num_users: int, dim: int = 64, heads: int = 2,
                 init_std: float = 0.1, similarity: str = "dot", tie_candidates: bool = False,
                 attention_temperature: float = 1.0) -> None:
        super().__init__()
        if attention_temperature <= 0:
            raise ValueError(f"attention_temperature must be positive, got {attention_temperature}")
        if dim % heads:
            raise ValueError(f"dim ({dim}) must be a multiple of heads ({heads})")
        if similarity not in SIMILARITIES:
            raise ValueError(f"similarity must be one of {SIMILARITIES}, got {similarity!r}")
        self.similarity = similarity
        self.num_items = num_items
        self.num_users = num_users
        self.dim = dim
        self.heads = heads
        self.head_dim = dim // heads
        self.init_std = init_std
        self.tie_candidates = tie_candidates
        self.attention_temperature = attention_temperature
        self.item_embedding = nn.Embedding(num_items, dim)  # E
        self.context_embedding = nn.Embedding(num_users, dim)  # P
        # Q; tied, it is E under a second name (one parameter, listed and saved once).
        self.candidate_embedding = self.item_embedding if tie_candidates else nn.Embedding(num_items, dim)
        self.weight_bias = nn.Parameter(torch.zeros(()))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for table in dict.fromkeys((self.item_embedding, self.context_embedding, self.candidate_embedding)):
            nn.init.normal_(table.weight, std=self.init_std)
        nn.init.zeros_(self.weight_bias)

    def config(self) -> dict:
        """Constructor arguments, enough to rebuild the module around a state dict."""
        return {"num_items": self.num_items, "num_users": self.num_users, "dim": self.dim,
                "heads": self.heads, "init_std": self.init_std, "similarity": self.similarity,
                "tie_candidates": self.tie_candidates, "attention_temperature": self.attention_temperature}

    def split_heads(self, x: Tensor) -> Tensor:
        """``[..., d]`` → ``[..., H, head_dim]``."""
        return x.reshape(x.shape[:-1] + (self.heads, self.head_dim))

    def item_context(self, items: Tensor, users: Tensor, mask: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Layer 1: each item attends over its co-users."""
        own = self.split_heads(self.item_embedding(items))  # [R, H, e]
        co_users = self.split_heads(self.context_embedding(users))  # [R, F2, H, e]
        # Broadcast products, not matmuls: these are millions of tiny matrix-vector products,
        # which batched matmul runs one by one on CPU.
        logits = (co_users * own.unsqueeze(1)).sum(-1) / math.sqrt(self.head_dim)  # [R, F2, H]
        beta = masked_softmax(logits, mask.unsqueeze(-1), dim=1)
        z = own + (beta.unsqueeze(-1) * co_users).sum(1)
        return z, beta.transpose(1, 2), co_users

    def aggregate(self, z: Tensor, weight: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
        """Layer 2: the user attends over their items, queried by the items' masked mean."""
        mask = mask.unsqueeze(-1)  # [B, F1, 1]
        query = (z * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)  # [B, H, e]
        logits = (z * query.unsqueeze(1)).sum(-1) / math.sqrt(self.head_dim)  # [B, F1, H]
        logits = logits + self.weight_bias * weight.log().unsqueeze(-1)
        if self.attention_temperature != 1.0:  # at 1 the exported graph stays as it was
            logits = logits / self.attention_temperature
        alpha = masked_softmax(logits, mask, dim=1)
        h = (alpha.unsqueeze(-1) * z).sum(1)  # [B, H, e]
        return h.reshape(h.shape[0], self.dim), alpha.transpose(1, 2)

    def user_vectors(self, hop1_weight: Tensor, hop1_mask: Tensor, slot_row: Tensor,
                     row_items: Tensor, row_users: Tensor, row_mask: Tensor) -> Tensor:
        """``h_u`` for a compact neighbourhood (hop-2 rows shared between slots), ``[B, d]``."""
        z_rows, _, _ = self.item_context(row_items, row_users, row_mask)
        # An embedding lookup, because its backward is much faster than advanced indexing's.
        z = F.embedding(slot_row, z_rows.flatten(1)).unflatten(-1, (self.heads, self.head_dim))
        h, _ = self.aggregate(z, hop1_weight, hop1_mask)
        return h

    def candidate_rows(self, items: Tensor) -> Tensor:
        """``Q`` rows of ``items`` (unit length under cosine scoring), ``[..., d]``."""
        rows = self.candidate_embedding(items)
        return F.normalize(rows, dim=-1) if self.similarity == "cosine" else rows

    def loss_scale(self, h: Tensor) -> Tensor:
        """The factor the training loss applies to a user's scores, ``[B, 1]``: ``1/‖h‖`` under cosine
        similarity, so the loss sees cosines. Serving leaves it out: it does not change a user's
        ranking, and without it a score is the plain sum of the neighbours' evidence, which removing a
        neighbour lowers by about that neighbour's share (a faithful explanation)."""
        if self.similarity == "cosine":
            return 1.0 / h.norm(dim=-1, keepdim=True).clamp(min=_EPS)
        return torch.ones_like(h[:, :1])

    def forward(self, hop1_weight: Tensor, hop1_mask: Tensor, slot_row: Tensor, row_items: Tensor,
                row_users: Tensor, row_mask: Tensor, candidates: Tensor) -> Tensor:
        """Scores of ``candidates`` (``[B, C]`` item indices) for each user, ``[B, C]``.

        The neighbourhood is a :class:`~recograph_training.sampling.CompactNeighbourhood`:
        ``hop1_*``/``slot_row`` ``[B, F1]``, ``row_items`` ``[R]``, ``row_users``/``row_mask``
        ``[R, F2]``.
        """
        h = self.user_vectors(hop1_weight, hop1_mask, slot_row, row_items, row_users, row_mask)
        return (self.candidate_rows(candidates) * h.unsqueeze(1)).sum(-1)

    def score_all(self, h: Tensor) -> Tensor:
        """Served scores of the whole catalogue, ``[B, N]``."""
        table = self.candidate_embedding.weight
        if self.similarity == "cosine":
            table = F.normalize(table, dim=-1)
        return (table @ h.t()).t()


def serving_tables(model: NeighbourhoodGAT) -> tuple[Tensor, Tensor, Tensor]:
    """The three tables a :class:`ServingGraph` run takes, as served: item rows ``E`` ``[N, d]``,
    candidate rows ``[N, d]`` (unit length under cosine) and context-user rows ``P`` ``[U, d]``."""
    with torch.no_grad():
        candidates = model.candidate_rows(torch.arange(model.num_items))
        return (model.item_embedding.weight.detach().clone(), candidates.contiguous(),
                model.context_embedding.weight.detach().clone())


class ServingGraph(nn.Module):
    """The exported computation: the eleven ONNX inputs to the seven outputs of docs/model.md
    (contract ``recograph-gat/3``).

    The graph holds no table: the item, candidate and context-user rows are inputs, kept in serving
    memory, so the catalogue grows at run time (rows appended for new items) without a re-export.

    Args:
        model (NeighbourhoodGAT): the trained model; only its scalars, dimensions and similarity
            are read here (the tables come with each run, see :func:`serving_tables`).

    Shapes:
        - **inputs**: item_table, candidate_table ``[N, d]``; context_user_table ``[U, d]``;
          hop1_items (int64), hop1_weight, hop1_mask ``[B, F1]``; hop2_users (int64), hop2_mask
          ``[B, F1, F2]``; score_bias ``[B, N]``; top_k (int64) ``[1]``; explain_ranks (int64) ``[E]``
        - **outputs**: top_scores ``[B, K]``, top_items (int64) ``[B, K]``, user_vectors ``[B, d]``,
          hop1_attention ``[B, H, F1]``, hop2_attention ``[B, H, F1, F2]``, hop1_contribution
          ``[B, E, F1]``, hop2_contribution ``[B, E, F1, F2]``: the contributions to the items at
          ``explain_ranks`` only, so a caller pays for the explanations it shows (none when ``E`` is 0)

    Ties in the top ``K`` go to the lower item index, as ONNX ``TopK`` specifies; eager runs use a
    stable sort for that because ``torch.topk`` leaves tie order unspecified.
    """

    input_names = ("item_table", "candidate_table", "context_user_table", "hop1_items", "hop1_weight",
                   "hop1_mask", "hop2_users", "hop2_mask", "score_bias", "top_k", "explain_ranks")
    output_names = ("top_scores", "top_items", "user_vectors", "hop1_attention", "hop2_attention",
                    "hop1_contribution", "hop2_contribution")

    def __init__(self, model: NeighbourhoodGAT) -> None:
        super().__init__()
        self.model = model
        with torch.no_grad():
            # heads[h, k] = 1 when dimension k belongs to head h: per-head products become MatMuls.
            self.register_buffer("heads", torch.eye(model.heads).repeat_interleave(model.head_dim, dim=1))

    # The layouts below are chosen for onnxruntime, whose broadcasting element-wise kernels slow
    # down by an order of magnitude when the innermost broadcast span is short (the head axis, or a
    # trailing 1): per-head products run as batched MatMuls against ``heads`` blocks, softmaxes
    # run on the last axis, and no large tensor is transposed. docs/model.md has the measurements.

    def forward(self, item_table: Tensor, candidate_table: Tensor, context_user_table: Tensor,
                hop1_items: Tensor, hop1_weight: Tensor, hop1_mask: Tensor, hop2_users: Tensor,
                hop2_mask: Tensor, score_bias: Tensor, top_k: Tensor, explain_ranks: Tensor) -> tuple[Tensor, ...]:
        return self._serve(item_table, (candidate_table,), context_user_table, hop1_items, hop1_weight,
                           hop1_mask, hop2_users, hop2_mask, score_bias, top_k, explain_ranks)

    def _serve(self, item_table: Tensor, candidates: tuple[Tensor, ...], context_user_table: Tensor,
               hop1_items: Tensor, hop1_weight: Tensor, hop1_mask: Tensor, hop2_users: Tensor,
               hop2_mask: Tensor, score_bias: Tensor, top_k: Tensor, explain_ranks: Tensor) -> tuple[Tensor, ...]:
        model = self.model
        batch, f1 = hop1_items.shape
        f2 = hop2_users.shape[2]
        heads, dim = model.heads, model.dim
        z, beta, co_users = self._item_context(
            item_table, context_user_table, hop1_items.reshape(-1), hop2_users.reshape(-1, f2),
            hop2_mask.reshape(-1, f2))
        z = z.reshape(batch, f1, dim)
        beta = beta.reshape(batch, f1, heads, f2).transpose(1, 2)  # [B, H, F1, F2]
        h, alpha = model.aggregate(model.split_heads(z), hop1_weight, hop1_mask)
        top_scores, top_items, explained_rows = self._rank(h, candidates, score_bias, top_k, explain_ranks)
        hop1_contribution, hop2_contribution = self._contributions(explained_rows, z, co_users, alpha, beta)
        return top_scores, top_items, h, alpha, beta, hop1_contribution, hop2_contribution

    def _rank(self, h: Tensor, candidates: tuple[Tensor, ...], score_bias: Tensor, top_k: Tensor,
              explain_ranks: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """The best ``top_k`` scores and items ``[B, K]`` and the candidate rows at ``explain_ranks`` ``[B, E, d]``."""
        (candidate_table,) = candidates
        # onnxruntime fuses the transpose into the MatMul (FusedMatMul, transB): the table is not copied.
        scores = h @ candidate_table.t() + score_bias
        top_scores, top_items = _top(scores, top_k[0])
        return top_scores, top_items, candidate_table[top_items.index_select(1, explain_ranks)]

    def _contributions(self, explained_rows: Tensor, z: Tensor, co_users: Tensor, alpha: Tensor,
                       beta: Tensor) -> tuple[Tensor, Tensor]:
        """hop1_contribution ``[B, E, F1]`` and hop2_contribution ``[B, E, F1, F2]`` to the explained rows' scores."""
        heads, dim = self.model.heads, self.model.dim
        batch, f1, f2 = beta.shape[0], beta.shape[2], beta.shape[3]
        # q_blocks[b, h, e] = head h of the e-th explained row, zeros elsewhere: [B, H, E, d].
        q_blocks = explained_rows.unsqueeze(1) * self.heads.reshape(1, heads, 1, dim)
        # Per-head products [B, H, E, ·], weighted by each head's attention and summed over heads.
        # No reshape involves E: an ONNX Reshape reads a 0 in its shape as "keep that axis".
        own = q_blocks @ z.unsqueeze(1).transpose(2, 3)
        hop1_contribution = (own * alpha.unsqueeze(2)).sum(1, keepdim=True).squeeze(1)
        via = q_blocks @ co_users.reshape(batch, 1, f1 * f2, dim).transpose(2, 3)
        flow = (alpha.unsqueeze(-1) * beta).reshape(batch, heads, 1, f1 * f2)
        hop2_contribution = (via * flow).sum(1, keepdim=True).squeeze(1)
        hop2_contribution = hop2_contribution.reshape(batch, explained_rows.shape[1], f1, f2)
        return hop1_contribution, hop2_contribution

    def _item_context(self, item_table: Tensor, context_user_table: Tensor, items: Tensor, users: Tensor,
                      mask: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """:meth:`NeighbourhoodGAT.item_context` for serving: z ``[R, d]``, β ``[R, H, F2]``,
        co-user rows ``[R, F2, d]``."""
        model = self.model
        own = F.embedding(items, item_table)  # [R, d]
        co_users = F.embedding(users, context_user_table)  # [R, F2, d]
        own_blocks = own.unsqueeze(1) * self.heads  # [R, H, d]
        logits = (own_blocks @ co_users.transpose(1, 2)) / math.sqrt(model.head_dim)  # [R, H, F2]
        real = (mask > 0).to(logits.dtype).unsqueeze(1)  # [R, 1, F2]
        # Padding sinks to about -1e9 and gets exactly 0; an all-padding row is zeroed by `real`.
        beta = F.softmax(logits + (real - 1.0) * -_MASKED_LOGIT, dim=-1) * real
        z = own + ((beta @ co_users) * self.heads).sum(1)
        return z, beta, co_users


def _top(scores: Tensor, k: Tensor) -> tuple[Tensor, Tensor]:
    """The ``k`` best scores of each row and their columns; ties go to the lower column (ONNX ``TopK``)."""
    if torch.onnx.is_in_onnx_export():
        return torch.topk(scores, k, dim=1)
    top_scores, top_items = torch.sort(scores, dim=1, descending=True, stable=True)
    return top_scores[:, :k], top_items[:, :k]


def quantize_rows(table: Tensor) -> tuple[Tensor, Tensor]:
    """Symmetric int8 rows with one scale each: ``table ≈ rows · scale[:, None]``; int8 ``[N, d]``, float32 ``[N]``.
    A zero row gets scale 0 (it dequantizes to zeros)."""
    scale = table.abs().amax(dim=1) / 127.0
    rows = torch.where(scale[:, None] > 0, table / scale.clamp(min=1e-30)[:, None], torch.zeros_like(table))
    return rows.round().clamp(-127, 127).to(torch.int8), scale.to(torch.float32)


def dequantize_rows(rows: Tensor, scale: Tensor) -> Tensor:
    return rows.to(torch.float32) * scale[:, None]


# How many items beyond top_k an int8 model re-scores exactly: the approximate scores only swap
# items whose scores are close, and TopK's cost grows with how many it keeps.
INT8_SHORTLIST_MARGIN = 100


class _Int8Scores(torch.autograd.Function):
    """Approximate scores ``[B, N]`` of every candidate, up to one positive factor per user: each user
    vector is scaled to max-abs 1 and quantized to uint8 (``DynamicQuantizeLinear``), multiplied by the
    int8 candidate columns ``[d, N]`` in integers (``MatMulInteger``) and by the columns' scales. Used
    only to pick a shortlist, which is then scored exactly."""

    @staticmethod
    def forward(ctx, users: Tensor, columns: Tensor, scale: Tensor) -> Tensor:  # noqa: ARG004
        low, high = users.min().clamp(max=0.0), users.max().clamp(min=0.0)
        step = ((high - low) / 255.0).clamp(min=1e-30)
        zero = (-low / step).round().clamp(0, 255)
        quantized = ((users / step).round() + zero).clamp(0, 255)
        return ((quantized - zero).double() @ columns.double()).float() * (step * scale)

    @staticmethod
    def symbolic(g, users, columns, scale):
        quantized, step, zero = g.op("DynamicQuantizeLinear", users, outputs=3)
        products = g.op("MatMulInteger", quantized, columns, zero)
        return g.op("Mul", g.op("Cast", products, to_i=1), g.op("Mul", step, scale))


class Int8ServingGraph(ServingGraph):
    """The serving graph of an int8 model folder (``compression: int8``, docs/model.md, Compressed
    models): the candidate rows are int8 with a scale each, ``Q̂_i ≈ candidate_table[i] · candidate_scale[i]``,
    given twice: as rows ``[N, d]`` (gathered for the shortlist) and as columns ``[d, N]`` (what the
    integer MatMul reads without a transpose).

    Every item is scored approximately in integers; the best ``top_k + 100`` (at most ``N``) are
    re-scored exactly against their dequantized rows and ranked and explained from those:
    returned scores and contributions are exact for the dequantized rows and add up as in
    :class:`ServingGraph`; only the shortlist may miss an item the exact scores would rank.

    Shapes: as :class:`ServingGraph`, but candidate_table int8 ``[N, d]``, then candidate_columns int8
    ``[d, N]`` and candidate_scale float32 ``[N]``.
    """

    input_names = ("item_table", "candidate_table", "candidate_columns", "candidate_scale", *ServingGraph.input_names[2:])

    def forward(self, item_table: Tensor, candidate_table: Tensor, candidate_columns: Tensor, candidate_scale: Tensor,
                context_user_table: Tensor, *run: Tensor) -> tuple[Tensor, ...]:
        return self._serve(item_table, (candidate_table, candidate_columns, candidate_scale), context_user_table, *run)

    def _rank(self, h: Tensor, candidates: tuple[Tensor, ...], score_bias: Tensor, top_k: Tensor,
              explain_ranks: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        candidate_table, columns, scale = candidates
        dim = self.model.dim
        # Each user at max-abs 1 before quantizing: a batch's small vectors keep their precision.
        users = h / (h.abs().amax(dim=1, keepdim=True) + _EPS)
        approximate = _Int8Scores.apply(users, columns, scale) + score_bias
        n = torch._shape_as_tensor(score_bias)[1:2]  # [1], traced as Shape: N stays dynamic
        shortlist = torch.minimum(top_k + INT8_SHORTLIST_MARGIN, n)
        _, listed = _top(approximate, shortlist[0])  # [B, S]
        batch, size = listed.shape
        values = candidate_table.index_select(0, listed.reshape(-1)).to(torch.float32).reshape(batch, size, dim)
        listed_scale = scale[listed]  # [B, S]
        # ⟨h, q·s⟩ as s·⟨h, q⟩: the [B, S, d] rows are not multiplied (equal up to float rounding).
        exact = (values @ h.unsqueeze(-1)).squeeze(-1) * listed_scale + score_bias.gather(1, listed)
        top_scores, positions = _top(exact, top_k[0])
        explained = positions.index_select(1, explain_ranks)  # [B, E]
        explained_rows = values.gather(1, explained.unsqueeze(-1).expand(-1, -1, dim)) * listed_scale.gather(1, explained).unsqueeze(-1)
        return top_scores, listed.gather(1, positions), explained_rows
