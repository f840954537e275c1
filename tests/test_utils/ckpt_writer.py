"""Child process for the SIGKILL-during-save test: saves ever newer checkpoints of
~64 MB to one path through mmengine's save_checkpoint, printing before and after."""
import sys

import torch
from mmengine.runner.checkpoint import save_checkpoint

import vssl_mm  # noqa: F401  (atomic put)

path = sys.argv[1]
big = torch.empty(16 * 1024 * 1024)  # 64 MB
for step in range(1, 1000):
    big.fill_(float(step))
    print(f'start {step}', flush=True)
    save_checkpoint({'meta': {'step': step}, 'state_dict': {'w': big}}, path)
    print(f'saved {step}', flush=True)
