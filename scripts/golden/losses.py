#!/usr/bin/env python3
"""PyTorch goldens for the losses added after the first generator (fixtures/golden/loss_*.json, see its README).
The batch-triplet losses and the symmetric MNRL have their own script, fixtures/golden/batch_losses.py.

Run from the repo root with a Python that has torch (Debian: apt-get install -y python3-torch; 1.13 here):

    /usr/bin/python3 scripts/golden/losses.py            # writes the files
    /usr/bin/python3 scripts/golden/losses.py --check    # recomputes and fails if a committed file differs

Each loss is written the way its reference implementation computes it (sentence-transformers 5.x for AnglE,
MSE, MarginMSE and Matryoshka; pytorch-metric-learning 2.x for
MultiSimilarity), in float32 on CPU, from seeded inputs rounded to 4 decimals. Each case is computed a second
time in float64 and must agree to 1e-5 (values and gradients) before anything is written.
"""
import json
import math
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / 'fixtures' / 'golden'
META = {
    'generator': 'scripts/golden/losses.py',
    'torch_version': torch.__version__,
    'dtype': 'float32',
    'tolerance': 'values computed by PyTorch in float32; a float32 reimplementation should match to ~1e-5 absolute',
    'tensor_encoding': '{shape, data}: data is a nested row-major JSON array of that shape',
}


def enc(t):
    t = t.detach()
    if t.dim() == 0:
        v = t.item()
        return {'shape': [], 'data': v if t.dtype.is_floating_point is False else float_short(v)}
    data = t.tolist()
    if t.dtype.is_floating_point:
        data = nest(data)
    return {'shape': list(t.shape), 'data': data}


def float_short(v):
    # Shortest repr of the float32 value (what JS prints for Math.fround).
    import struct
    f = struct.unpack('f', struct.pack('f', v))[0]
    for digits in range(1, 18):
        s = f'{f:.{digits}g}'
        if struct.unpack('f', struct.pack('f', float(s)))[0] == f:
            return 0 if float(s) == 0 else float(s)
    return f


def nest(x):
    return [nest(y) for y in x] if isinstance(x, list) else float_short(x)


def rand(gen, *shape, scale=1.0):
    return torch.round(torch.randn(*shape, generator=gen) * scale * 1e4) / 1e4


# ---- similarities as sentence-transformers computes them ----

def pairwise_cos_sim(a, b):
    return torch.nn.functional.cosine_similarity(a, b, dim=-1)


def pairwise_angle_sim(x, y):
    a, b = torch.chunk(x, 2, dim=1)
    c, d = torch.chunk(y, 2, dim=1)
    z = torch.sum(c**2 + d**2, dim=1, keepdim=True)
    re = (a * c + b * d) / z
    im = (b * c - a * d) / z
    dz = torch.sum(a**2 + b**2, dim=1, keepdim=True) ** 0.5
    dw = torch.sum(c**2 + d**2, dim=1, keepdim=True) ** 0.5
    re = re / (dz / dw)
    im = im / (dz / dw)
    return torch.abs(torch.sum(torch.concat((re, im), dim=1), dim=1))


def cosent(sims, labels, scale=20.0):
    s = sims * scale
    s = s[:, None] - s[None, :]
    lab = (labels[:, None] < labels[None, :]).to(s.dtype)
    s = s - (1 - lab) * 1e12
    s = torch.cat((torch.zeros(1, dtype=s.dtype), s.view(-1)), dim=0)
    return torch.logsumexp(s, dim=0)


def multi_similarity(labels, e, alpha=2.0, beta=50.0, base=0.5):
    """pytorch-metric-learning MultiSimilarityLoss with CosineSimilarity and the MeanReducer."""
    en = torch.nn.functional.normalize(e, dim=1)
    s = en @ en.t()
    n = len(labels)
    same = labels[:, None] == labels[None, :]
    pos = same & ~torch.eye(n, dtype=torch.bool)
    neg = ~same

    def lse_plus_one(x, keep):
        x = x.masked_fill(~keep, -math.inf)
        x = torch.cat([x, torch.zeros(n, 1, dtype=x.dtype)], dim=1)
        return torch.logsumexp(x, dim=1)

    pos_loss = lse_plus_one(alpha * (base - s), pos) / alpha
    neg_loss = lse_plus_one(beta * (s - base), neg) / beta
    return (pos_loss + neg_loss).mean()


# ---- cases ----

def cases():
    g = torch.Generator().manual_seed(17)
    out = {}

    u, v = rand(g, 6, 8), rand(g, 6, 8)
    labels = torch.tensor([0.9, 0.1, 0.5, 0.5, 0.3, 1.0])
    out['loss_angle'] = dict(
        description='AnglELoss, sentence-transformers defaults (CoSENT over pairwise_angle_sim, scale 20)',
        formula='sim_i = |sum(re_i) + sum(im_i)| where x=(a,b), y=(c,d) are split in halves, re=(ac+bd)/(|x||y|), im=(bc-ad)/(|x||y|); loss = logsumexp([0] + [20 (sim_i - sim_j) : labels_i < labels_j])',
        source='sentence-transformers 5.x losses/AnglELoss.py (CoSENTLoss with util.pairwise_angle_sim, scale=20.0)',
        config={'type': 'angle'},
        cases=[dict(inputs={'u': u, 'v': v, 'labels': labels},
                    fn=lambda u, v: cosent(pairwise_angle_sim(u, v), labels), grad=['u', 'v'])],
    )

    s, t = rand(g, 5, 6), rand(g, 5, 6)
    out['loss_mse'] = dict(
        description='MSELoss (distillation): student embeddings regress onto teacher vectors',
        formula='loss = mean over all elements of (student - teacher)^2',
        source='sentence-transformers 5.x losses/MSELoss.py (torch.nn.MSELoss())',
        config={'type': 'mse'},
        cases=[dict(inputs={'embeddings': s, 'teacher': t}, fn=lambda s: torch.mean((s - t) ** 2), grad=['embeddings'])],
    )

    q, p, n = rand(g, 5, 6), rand(g, 5, 6), rand(g, 5, 6)
    margins = rand(g, 5)
    out['loss_margin_mse'] = dict(
        description='MarginMSELoss (distillation): the student margin sim(q,p) - sim(q,n) regresses onto the teacher margin',
        formula='loss = mean_i ((q_i . p_i - q_i . n_i) - margin_i)^2 (dot product, the default)',
        source='sentence-transformers 5.x losses/MarginMSELoss.py (similarity_fct=util.pairwise_dot_score)',
        config={'type': 'marginMse'},
        cases=[dict(inputs={'anchors': q, 'positives': p, 'negatives': n, 'margins': margins},
                    fn=lambda q, p, n: torch.mean(((q * p).sum(1) - (q * n).sum(1) - margins) ** 2),
                    grad=['anchors', 'positives', 'negatives'])],
    )

    emb = rand(g, 8, 6)
    cls = torch.tensor([0, 1, 0, 2, 1, 2, 0, 3])
    out['loss_multi_similarity'] = dict(
        description='MultiSimilarityLoss (Wang et al. 2019), pytorch-metric-learning defaults (alpha 2, beta 50, base 0.5, cosine, mean over anchors)',
        formula='loss_i = 1/alpha log(1 + sum_{p in P_i} exp(-alpha (S_ip - base))) + 1/beta log(1 + sum_{n in N_i} exp(beta (S_in - base))); loss = mean_i loss_i (P_i: same label, not i; N_i: other labels)',
        source='pytorch-metric-learning 2.x losses/multi_similarity_loss.py with CosineSimilarity and MeanReducer',
        config={'type': 'multiSimilarity'},
        cases=[dict(inputs={'embeddings': emb, 'labels': cls}, fn=lambda e: multi_similarity(cls, e), grad=['embeddings'])],
    )

    # The batch-triplet losses are in fixtures/golden/batch_losses.py; this draw stays so that the files below
    # keep their committed values.
    _ = rand(g, 8, 5, scale=0.5)

    mu, mv = rand(g, 6, 8), rand(g, 6, 8)
    mlabels = torch.tensor([0.2, 0.9, 0.4, 0.7, 0.1, 0.6])
    out['loss_matryoshka'] = dict(
        description='MatryoshkaLoss around CoSENT, dims [8, 4], weights [1, 0.5]',
        formula='loss = sum_k w_k * coSENT(u[:, :d_k], v[:, :d_k], labels)',
        source='sentence-transformers 5.x losses/MatryoshkaLoss.py (the inner loss on embeddings truncated to each dim, weighted sum)',
        config={'type': 'matryoshka', 'loss': {'type': 'coSENT'}, 'dims': [8, 4], 'weights': [1, 0.5]},
        cases=[dict(inputs={'u': mu, 'v': mv, 'labels': mlabels},
                    fn=lambda u, v: cosent(pairwise_cos_sim(u, v), mlabels) + 0.5 * cosent(pairwise_cos_sim(u[:, :4], v[:, :4]), mlabels),
                    grad=['u', 'v'])],
    )

    # SoftmaxLoss: the head's weight and bias are inputs too (the loss owns them; the test assigns these values).
    su, sv = rand(g, 6, 4), rand(g, 6, 4)
    slabels = torch.tensor([0, 2, 1, 1, 0, 2])
    w3, b3 = rand(g, 3, 12, scale=0.3), rand(g, 3, scale=0.3)
    w4, b4 = rand(g, 3, 16, scale=0.3), rand(g, 3, scale=0.3)
    out['loss_softmax'] = dict(
        description='SoftmaxLoss (SBERT NLI objective), sentence-transformers defaults: a linear classifier over [u, v, |u - v|] to 3 classes, cross-entropy; case 1 adds u * v',
        formula='f_i = concat(u_i, v_i, |u_i - v_i| [, u_i * v_i]); logits_i = weight @ f_i + bias; loss = mean_i -log softmax(logits_i)[label_i]',
        source='sentence-transformers 5.x losses/SoftmaxLoss.py (nn.Linear(num_vectors * dim, num_labels), nn.CrossEntropyLoss())',
        config={'type': 'softmax', 'numLabels': 3},
        cases=[
            dict(inputs={'u': su, 'v': sv, 'labels': slabels, 'weight': w3, 'bias': b3},
                 fn=lambda u, v, w, b: softmax_loss(u, v, w, b, slabels, False), grad=['u', 'v', 'weight', 'bias']),
            dict(inputs={'u': su, 'v': sv, 'labels': slabels, 'weight': w4, 'bias': b4},
                 fn=lambda u, v, w, b: softmax_loss(u, v, w, b, slabels, True), grad=['u', 'v', 'weight', 'bias'],
                 options={'concatenationSentMultiplication': True}),
        ],
    )
    return out


def softmax_loss(u, v, weight, bias, labels, multiplication):
    features = [u, v, torch.abs(u - v)] + ([u * v] if multiplication else [])
    logits = torch.nn.functional.linear(torch.cat(features, 1), weight, bias)
    return torch.nn.functional.cross_entropy(logits, labels)


def run(case, dtype):
    xs = []
    for name in case['grad']:
        x = case['inputs'][name].to(dtype).clone().requires_grad_(True)
        xs.append(x)
    value = case['fn'](*xs)
    grads = torch.autograd.grad(value, xs)
    return value, grads


def build():
    files = {}
    worst = 0.0
    for name, spec in cases().items():
        out_cases = []
        for c in spec['cases']:
            v32, g32 = run(c, torch.float32)
            v64, g64 = run(c, torch.float64)
            diffs = [abs(v32.item() - v64.item())] + [(a.double() - b).abs().max().item() for a, b in zip(g32, g64)]
            worst = max(worst, *diffs)
            if max(diffs) > 1e-5:
                sys.exit(f'{name}: float32 and float64 disagree by {max(diffs)}')
            entry = {
                'inputs': {k: enc(t) for k, t in c['inputs'].items()},
                'loss': enc(v32),
                'grads': {k: enc(gr) for k, gr in zip(c['grad'], g32)},
            }
            if 'options' in c:
                entry['options'] = c['options']
            out_cases.append(entry)
        files[name] = {
            'name': name,
            'description': spec['description'],
            'formula': spec['formula'],
            'source': spec['source'],
            'config': spec['config'],
            'cases': out_cases,
            'meta': META,
        }
    return files, worst


def main():
    files, worst = build()
    check = '--check' in sys.argv
    for name, data in files.items():
        path = OUT / f'{name}.json'
        text = json.dumps(data, indent=1) + '\n'
        if check:
            # Compared as JSON (the repo's formatter may lay the committed file out differently).
            if not path.exists() or json.loads(path.read_text()) != json.loads(text):
                sys.exit(f'{path} differs from what the generator computes now')
        else:
            path.write_text(text)
    print(f'{len(files)} files {"checked" if check else "written"}; float32 vs float64 worst difference {worst:.2e}')


if __name__ == '__main__':
    main()
