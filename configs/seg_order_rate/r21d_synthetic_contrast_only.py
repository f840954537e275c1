# Term ablation of r21d_synthetic.py: the contrast term of Eq. 17 only (no order head, no
# rate head). The sampler still shuffles segments and varies the rates, so the contrast
# term sees the full objective's clips; backbone and schedule are unchanged.
_base_ = ['./r21d_synthetic.py']

model = dict(order_head=None, rate_head=None)
