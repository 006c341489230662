// finetune: LoRA adapters, freeze/unfreeze schedules, MeZO zeroth-order steps, gradient checkpointing.
export { LoRALinear, LoRAInProjSlice, applyLoRA, loraParameters, loraStateDict, loadLoraStateDict, type LoRAOptions } from './lora.js';
export { setTrainable, trainableNames, UnfreezeSchedule } from './freeze.js';
export { mezoStep, type MeZOOptions } from './mezo.js';
export { checkpoint, checkpointSequential } from './checkpoint.js';
