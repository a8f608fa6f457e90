//! The backend's handlers for images and distribution: fixed answers, recorded requests.

use engine_api::rt::error::ApiError;
use engine_api::server::*;

use super::*;

impl ImageApi for Backend {
    async fn image_list(&self, req: ImageListRequest) -> Result<ImageListReply, ApiError> {
        self.hit("ImageList", &req)?;
        Ok(ImageListReply::Ok(answer("ImageList")))
    }

    async fn image_build(&self, req: ImageBuildRequest) -> Result<ImageBuildReply, ApiError> {
        self.hit("ImageBuild", &req)?;
        self.drain("ImageBuild", req.body).await?;
        Ok(ImageBuildReply::Ok(json_stream("ImageBuild")))
    }

    async fn build_prune(&self, req: BuildPruneRequest) -> Result<BuildPruneReply, ApiError> {
        self.hit("BuildPrune", &req)?;
        Ok(BuildPruneReply::Ok(answer("BuildPrune")))
    }

    async fn image_create(&self, req: ImageCreateRequest) -> Result<ImageCreateReply, ApiError> {
        self.hit("ImageCreate", &req)?;
        self.drain("ImageCreate", req.body).await?;
        Ok(ImageCreateReply::Ok(json_stream("ImageCreate")))
    }

    async fn image_inspect(&self, req: ImageInspectRequest) -> Result<ImageInspectReply, ApiError> {
        self.hit("ImageInspect", &req)?;
        Ok(ImageInspectReply::Ok(answer("ImageInspect")))
    }

    async fn image_history(&self, req: ImageHistoryRequest) -> Result<ImageHistoryReply, ApiError> {
        self.hit("ImageHistory", &req)?;
        Ok(ImageHistoryReply::Ok(answer("ImageHistory")))
    }

    async fn image_push(&self, req: ImagePushRequest) -> Result<ImagePushReply, ApiError> {
        self.hit("ImagePush", &req)?;
        Ok(ImagePushReply::Ok(json_stream("ImagePush")))
    }

    async fn image_tag(&self, req: ImageTagRequest) -> Result<ImageTagReply, ApiError> {
        self.hit("ImageTag", &req)?;
        Ok(ImageTagReply::Created)
    }

    async fn image_delete(&self, req: ImageDeleteRequest) -> Result<ImageDeleteReply, ApiError> {
        self.hit("ImageDelete", &req)?;
        if let Some(e) = self.typed_error("ImageDelete", 409) {
            return Ok(ImageDeleteReply::Conflict(e));
        }
        Ok(ImageDeleteReply::Ok(answer("ImageDelete")))
    }

    async fn image_search(&self, req: ImageSearchRequest) -> Result<ImageSearchReply, ApiError> {
        self.hit("ImageSearch", &req)?;
        Ok(ImageSearchReply::Ok(answer("ImageSearch")))
    }

    async fn image_prune(&self, req: ImagePruneRequest) -> Result<ImagePruneReply, ApiError> {
        self.hit("ImagePrune", &req)?;
        Ok(ImagePruneReply::Ok(answer("ImagePrune")))
    }

    async fn image_commit(&self, req: ImageCommitRequest) -> Result<ImageCommitReply, ApiError> {
        self.hit("ImageCommit", &req)?;
        Ok(ImageCommitReply::Created(answer("ImageCommit")))
    }

    async fn image_get(&self, req: ImageGetRequest) -> Result<ImageGetReply, ApiError> {
        self.hit("ImageGet", &req)?;
        Ok(ImageGetReply::Ok(byte_stream("ImageGet")))
    }

    async fn image_get_all(&self, req: ImageGetAllRequest) -> Result<ImageGetAllReply, ApiError> {
        self.hit("ImageGetAll", &req)?;
        Ok(ImageGetAllReply::Ok(byte_stream("ImageGetAll")))
    }

    async fn image_load(&self, req: ImageLoadRequest) -> Result<ImageLoadReply, ApiError> {
        self.hit("ImageLoad", &req)?;
        self.drain("ImageLoad", req.body).await?;
        Ok(ImageLoadReply::Ok(json_stream("ImageLoad")))
    }
}

impl DistributionApi for Backend {
    async fn distribution_inspect(
        &self,
        req: DistributionInspectRequest,
    ) -> Result<DistributionInspectReply, ApiError> {
        self.hit("DistributionInspect", &req)?;
        Ok(DistributionInspectReply::Ok(answer("DistributionInspect")))
    }
}
