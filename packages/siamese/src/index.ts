// The backend layer is re-exported so that one import gives a working, trainable tfjs setup.
export * from '@siamese/backend';
