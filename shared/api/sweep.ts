import { z } from 'zod'
import { RunPlace, TrainConfig, TrainRequest } from './schemas'

/** A grid sweep: one run per combination of the listed values, every other setting from `config`. */
export const SweepRequest = z
  .object({
    config: TrainRequest,
    learningRates: z.array(TrainConfig.shape.learningRate).min(1).max(12).optional(),
    batchSizes: z.array(TrainConfig.shape.batchSize).min(1).max(12).optional(),
    place: RunPlace.optional(),
  })
  .strict()
  .refine((sweep) => (sweep.learningRates?.length ?? 1) * (sweep.batchSizes?.length ?? 1) <= 36, 'a sweep may queue at most 36 runs')
export type SweepRequest = z.infer<typeof SweepRequest>
