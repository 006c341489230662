// adversarial: attacks (FGSM, PGD ℓ∞/ℓ2), adversarial training and robust accuracy (torchattacks semantics).
export { fgsm, pgd, type AttackOptions, type AttackLoss, type Model } from './attacks.js';
export { adversarialTrainingStep, robustAccuracy, type AdversarialStepOptions } from './training.js';
