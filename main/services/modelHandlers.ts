import type { ApiHandlers, ServiceSet } from './apiHandlerTypes'

/** A trained model applied to one image: its prediction, and a look inside (feature maps, saliency). */
export function createModelHandlers({ inference }: Pick<ServiceSet, 'inference'>): Pick<ApiHandlers, 'predict.image' | 'inspect.image'> {
  return {
    'predict.image': ({ runId, fileName, imageBase64, topK }) =>
      inference.predict(runId, fileName, Buffer.from(imageBase64, 'base64'), topK),
    'inspect.image': ({ runId, fileName, imageBase64, maxChannels, firstChannel, occlusion, gradCam }) =>
      inference.inspect(runId, fileName, Buffer.from(imageBase64, 'base64'), { maxChannels, firstChannel, occlusion, gradCam }),
  }
}
